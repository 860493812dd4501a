"""Audit programme progress: counts against a fixture counted by hand, scope, and query counts.

The fixture (November 2026, every audit due 30 November, the page viewed on 2 December):

=====  =====================  ======  =====================================  ===========
audit  auditor                team    state                                  kind
=====  =====================  ======  =====================================  ===========
1      A team_manager_same    B1      submitted 20 Nov (on time)             monthly
2      B team_manager_other   A1      submitted 1 Dec (late)                 monthly
3      C service_manager_same A2      not submitted, past due (late)         monthly
4      A team_manager_same    B1      cancelled (never counted as missed)    monthly
5      B team_manager_other   EH1     allocated, due 15 Dec (not late)       early help
=====  =====================  ======  =====================================  ===========

Dip samples: A's (team A1) done 25 Nov; C's (area A) not done, past due.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditStatus, DipSample, DipSampleRound
from organisation.models import CaseType, Role
from organisation.scope import scope_for
from qaframework.progress import programme_progress
from tests.audits.factories import allocate, mark_submitted, tool_version
from tests.audits.test_dip_samples import dip_checklist
from tests.factories import CaseFileFactory, person_with_role

MONTH = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 12, 2)
COLUMNS = (
    "audits_expected",
    "audits_done",
    "audits_late",
    "audits_cancelled",
    "dips_expected",
    "dips_done",
    "dips_late",
)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))


def build_fixture(world) -> dict[str, object]:
    version = tool_version()
    p = world.people
    a, b, c = p["team_manager_same"], p["team_manager_other"], p["service_manager_same"]
    qa = p["qa_officer"]
    case_b2 = CaseFileFactory(team=world.team_b1)
    case_a2 = CaseFileFactory(team=world.team_a2)
    day = datetime.date(2026, 11, 2)
    cancelled = allocate(case_b2, a, version=version, actor=qa, today=day, kind="monthly")
    Audit.objects.filter(pk=cancelled.pk).update(status=AuditStatus.CANCELLED, cancelled_at=_at(day))
    mark_submitted(
        allocate(world.case_b, a, version=version, actor=qa, today=day, kind="monthly"),
        on=datetime.date(2026, 11, 20),
    )
    mark_submitted(
        allocate(world.case_a, b, version=version, actor=qa, today=day, kind="monthly"), on=datetime.date(2026, 12, 1)
    )
    allocate(case_a2, c, version=version, actor=qa, today=day, kind="monthly")
    allocate(
        world.case_eh,
        b,
        version=version,
        actor=qa,
        today=day,
        kind="early_help",
        due_on=datetime.date(2026, 12, 15),
    )
    round_ = DipSampleRound.objects.create(month=MONTH, theme="Supervision", checklist=dip_checklist(), set_by=qa)
    due = datetime.date(2026, 11, 30)
    DipSample.objects.create(
        round=round_,
        manager=a,
        team=world.team_a1,
        due_on=due,
        status="done",
        completed_at=_at(datetime.date(2026, 11, 25)),
    )
    DipSample.objects.create(round=round_, manager=c, service_area=world.area_a, due_on=due)
    return {"A": a.full_name, "B": b.full_name, "C": c.full_name}


def table(breakdown) -> dict[str, tuple[int, ...]]:
    return {row.name: tuple(getattr(row, c) for c in COLUMNS) for row in breakdown.rows}


def progress_for(world, persona: str, month: datetime.date = MONTH) -> dict[str, dict[str, tuple[int, ...]]]:
    return {
        b.title: table(b) for b in programme_progress(scope=scope_for(world.people[persona], today=TODAY), month=month)
    }


def test_the_qa_team_sees_the_hand_counted_figures(world):
    names = build_fixture(world)
    figures = progress_for(world, "qa_officer")
    #                                   exp done late canc | dip exp done late
    assert figures["By auditor"] == {
        names["A"]: (1, 1, 0, 1, 1, 1, 0),
        names["B"]: (2, 1, 1, 0, 0, 0, 0),
        names["C"]: (1, 0, 1, 0, 1, 0, 1),
    }
    assert figures["By team"] == {
        world.team_a1.name: (1, 1, 1, 0, 1, 1, 0),
        world.team_a2.name: (1, 0, 1, 0, 0, 0, 0),
        world.team_b1.name: (1, 1, 0, 1, 0, 0, 0),
        world.team_eh1.name: (1, 0, 0, 0, 0, 0, 0),
    }
    assert figures["By service area"] == {
        world.area_a.name: (2, 1, 2, 0, 2, 1, 1),
        world.area_b.name: (1, 1, 0, 1, 0, 0, 0),
        world.area_eh.name: (1, 0, 0, 0, 0, 0, 0),
    }


def test_rows_are_ordered_by_name_never_by_a_count(world):
    build_fixture(world)
    for breakdown in programme_progress(scope=scope_for(world.people["qa_officer"], today=TODAY), month=MONTH):
        names = [row.name.lower() for row in breakdown.rows]
        assert names == sorted(names)


def test_before_the_due_date_nothing_open_is_late(world):
    names = build_fixture(world)
    early = programme_progress(
        scope=scope_for(world.people["qa_officer"], today=datetime.date(2026, 11, 21)), month=MONTH
    )
    auditors = table(early[0])
    # Only audit 2, submitted after its due date, counts as late; C's open audit and open dip
    # sample are not late yet.
    assert {name: row[2] for name, row in auditors.items()} == {names["A"]: 0, names["B"]: 1, names["C"]: 0}
    assert sum(row[6] for row in auditors.values()) == 0  # dip samples late


def test_a_team_manager_sees_their_team_and_its_people_only(world):
    names = build_fixture(world)
    figures = progress_for(world, "team_manager_same")
    assert figures["By auditor"] == {names["A"]: (1, 1, 0, 1, 1, 1, 0)}
    assert figures["By team"] == {world.team_a1.name: (1, 1, 1, 0, 1, 1, 0)}
    assert "By service area" not in figures


def test_a_service_manager_sees_the_people_and_teams_of_their_area(world):
    names = build_fixture(world)
    figures = progress_for(world, "service_manager_same")
    # A is TM of A1 and C is the SM: both hold roles in area A. B (TM of B1) does not.
    assert set(figures["By auditor"]) == {names["A"], names["C"]}
    assert set(figures["By team"]) == {world.team_a1.name, world.team_a2.name}
    assert figures["By service area"] == {world.area_a.name: (2, 1, 2, 0, 2, 1, 1)}


def test_the_page_shows_counts_without_grades_and_refuses_people_without_teams(client, world):
    build_fixture(world)
    client.force_login(world.people["qa_officer"])
    response = client.get(reverse("audit-programme-progress"), {"month": "2026-11"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Audit programme progress" in body
    assert world.team_eh1.name in body
    for grade in ("Outstanding", "Good", "Requires improvement", "Inadequate"):
        assert grade not in body
    client.force_login(world.people["practitioner_own"])
    assert client.get(reverse("audit-programme-progress")).status_code == 403


def test_a_bad_month_is_an_error_and_the_page_shows_this_month(client, world):
    client.force_login(world.people["qa_officer"])
    body = client.get(reverse("audit-programme-progress"), {"month": "November"}).content.decode()
    assert "<title>Error:" in body
    assert "Enter the month as a year and month" in body


def test_another_month_shows_nothing_of_november(world):
    build_fixture(world)
    figures = progress_for(world, "qa_officer", month=datetime.date(2026, 10, 1))
    assert all(not rows for rows in figures.values())


def _more_auditors(world, n: int) -> None:
    version = Audit.objects.order_by("pk").first().tool_version
    for i in range(n):
        person = person_with_role(Role.TEAM_MANAGER, team=world.team_a2, email=f"extra{i}@example.test")
        case = CaseFileFactory(team=world.team_b1, case_type=CaseType.CHILD_IN_NEED)
        allocate(case, person, version=version, actor=world.people["qa_officer"], today=datetime.date(2026, 11, 2))


@pytest.mark.parametrize("persona", ["qa_officer", "service_manager_same"])
def test_the_page_takes_the_same_queries_for_few_and_many_auditors(
    client, world, persona, django_assert_max_num_queries
):
    build_fixture(world)
    client.force_login(world.people[persona])
    url = reverse("audit-programme-progress")
    client.get(url, {"month": "2026-11"})  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, {"month": "2026-11"})
    _more_auditors(world, 15)
    # Per breakdown: audits, dip samples, names; plus session, user, scope and the page's own.
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"month": "2026-11"})
    assert response.context["breakdowns"][0].total.audits_expected >= 4


def test_completed_practice_observations_are_counted_by_observer_team_and_area(world, client):
    from observations.models import Observation
    from tests.observations.test_observations import completed, record

    build_fixture(world)
    names = {"A": world.people["team_manager_same"].full_name, "C": world.people["service_manager_same"].full_name}
    # A observes practitioner_own (A1) twice in November; C once. A draft, and October's, do not count.
    completed(world, on=datetime.date(2026, 11, 5))
    completed(world, on=datetime.date(2026, 11, 12))
    completed(world, observer="service_manager_same", on=datetime.date(2026, 11, 13))
    record(world, on=datetime.date(2026, 11, 14))
    completed(world, on=datetime.date(2026, 10, 30))
    assert Observation.objects.count() == 5

    def observations(persona: str) -> dict[str, dict[str, int]]:
        scope = scope_for(world.people[persona], today=TODAY)
        return {b.title: {r.name: r.observations for r in b.rows} for b in programme_progress(scope=scope, month=MONTH)}

    qa = observations("qa_officer")
    assert {n: qa["By auditor"][n] for n in names.values()} == {names["A"]: 2, names["C"]: 1}
    assert qa["By team"][world.team_a1.name] == 3
    assert qa["By team"][world.team_b1.name] == 0
    assert qa["By service area"][world.area_a.name] == 3
    # Scoped like the rest of the page: team_manager_other sees none of team A1's.
    other = observations("team_manager_other")
    assert names["A"] not in other["By auditor"]
    assert world.team_a1.name not in other["By team"]

    client.force_login(world.people["qa_officer"])
    body = client.get(reverse("audit-programme-progress"), {"month": "2026-11"}).content.decode()
    assert "Practice observations</th>" in body
    by_auditor = programme_progress(scope=scope_for(world.people["qa_officer"], today=TODAY), month=MONTH)[0]
    assert by_auditor.total.observations == 3
