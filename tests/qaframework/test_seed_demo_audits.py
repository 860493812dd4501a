"""seed_demo's audits: every state, for the demo sign-ins, the same every time, added only once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from audits.demo import demo_audits_seed
from audits.models import Action, ActionStatus, Audit, AuditKind, AuditStatus, ElementAnswer, Grade, ImmediateConcern
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User
from tests.qaframework.test_seed_demo import PROGRAMME_MODELS

TODAY = datetime.date(2026, 3, 2)


def seed(today: datetime.date = TODAY) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--size", "tiny", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def demo_user(role: Role) -> User:
    return User.objects.get(email=DEMO_EMAIL[role])


def snapshot() -> list[tuple]:
    # Thematic and ad-hoc samples are seeded from their programme audit's id, which a database
    # reuses only when it is new: compare the rest.
    return sorted(
        Audit.objects.filter(programme__isnull=True).values_list(
            "case_reference", "month", "kind", "auditor__email", "status", "reported_grade", "due_on", "response"
        ),
        key=repr,
    )


@pytest.fixture
def seeded(db) -> str:
    return seed()


def test_audits_in_every_state_with_a_spread_of_grades(seeded):
    assert "audits: " in seeded
    statuses = set(Audit.objects.values_list("status", flat=True))
    assert statuses == set(AuditStatus.values)
    grades = set(Audit.objects.exclude(reported_grade="").values_list("reported_grade", flat=True))
    assert grades == set(Grade.values)
    inadequate = Audit.objects.filter(reported_grade=Grade.INADEQUATE)
    assert inadequate.filter(talked_through_at__isnull=False).exists()
    assert inadequate.filter(talked_through_at__isnull=True).exists()
    assert Audit.objects.filter(status=AuditStatus.CANCELLED).exclude(cancel_reason="").exists()
    assert not Audit.objects.filter(status=AuditStatus.CANCELLED, cancel_reason="").exists()
    assert Audit.objects.filter(kind=AuditKind.EARLY_HELP, case_type="early_help").exists()
    # A restricted case allocated by hand by the QA manager, with a reason.
    restricted = Audit.objects.get(restricted=True)
    assert restricted.allocated_by == demo_user(Role.QA_MANAGER)
    assert restricted.allocation_reason


def test_submitted_audits_answer_every_applicable_element_and_drafts_some(seeded):
    for audit in Audit.objects.filter(status__in=("submitted", "closed", "in_moderation")).select_related(
        "tool_version"
    ):
        applicable = {e.code for e in audit.tool_version.elements.all() if e.applies_to_case_type(audit.case_type)}
        answered = ElementAnswer.objects.filter(audit=audit)
        assert {a.element.code for a in answered} == applicable, audit
        assert all(a.grade or (a.not_applicable and a.not_applicable_reason) for a in answered)
        assert audit.overall_grade
        assert audit.conversation_on
        assert audit.impact_for_child
        if audit.overall_grade in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE):
            assert audit.actions.exists(), audit
    drafts = Audit.objects.filter(status="in_progress")
    assert any(d.answers.count() > 0 for d in drafts)
    assert not ElementAnswer.objects.filter(audit__status="allocated").exists()


def test_actions_concerns_reflections_and_responses(seeded):
    today = TODAY
    assert Action.objects.filter(status=ActionStatus.OPEN, due_on__lt=today).exists()
    assert Action.objects.filter(status=ActionStatus.OPEN, due_on__gte=today).exists()
    assert Action.objects.filter(status=ActionStatus.DONE, confirmed_at__isnull=False).exists()
    assert Action.objects.filter(status=ActionStatus.DONE, confirmed_at__isnull=True).exists()
    assert ImmediateConcern.objects.filter(action_recorded_at__isnull=False).exists()
    overdue = [c for c in ImmediateConcern.objects.all() if c.is_overdue(today)]
    assert overdue
    # The overdue concern is in the demo team manager's team, so their SM sees it too.
    team_manager = demo_user(Role.TEAM_MANAGER)
    assert overdue[0].audit.team.role_assignments.filter(person=team_manager).exists()
    assert Audit.objects.exclude(reflection_before="").exists()
    assert Audit.objects.exclude(reflection_after="").exists()
    assert set(Audit.objects.exclude(response="").values_list("response", flat=True)) >= {"agree", "disagree"}
    # Synthetic text only: initials, never a name.
    for text in Audit.objects.exclude(impact_for_child="").values_list("impact_for_child", flat=True)[:20]:
        assert "{i}" not in text


def test_every_auditor_sign_in_has_something_to_do_and_something_done(seeded):
    for role in (
        Role.TEAM_MANAGER,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.ASSISTANT_DIRECTOR,
        Role.DIRECTOR,
        Role.CONFERENCE_CHAIR,
        Role.IRO,
        Role.EH_STRATEGIC_LEAD,
    ):
        mine = Audit.objects.filter(auditor=demo_user(role))
        assert mine.filter(status__in=("allocated", "in_progress")).exists(), role.label
    done = Q(status__in=("submitted", "closed", "in_moderation"))
    assert Audit.objects.filter(done, auditor=demo_user(Role.ASSISTANT_DIRECTOR)).exists()
    assert Audit.objects.filter(done, auditor=demo_user(Role.CONFERENCE_CHAIR)).exists()


def test_nobody_audits_their_own_case_a_case_they_chair_or_their_own_team(seeded):
    from organisation.models import RoleAssignment

    for audit in Audit.objects.select_related("case_file"):
        assert audit.auditor_id != audit.practitioner_id
        assert audit.auditor_id != audit.case_file.chair_id
        manages = RoleAssignment.objects.active_on(TODAY).filter(
            person_id=audit.auditor_id, team_id=audit.team_id, role__in=("team_manager", "early_help_coordinator")
        )
        assert not manages.exists(), audit


def test_demo_team_manager_and_practitioner_have_real_work_on_my_work(seeded):
    team_manager = demo_user(Role.TEAM_MANAGER)
    practitioner = demo_user(Role.PRACTITIONER)
    client = Client()
    client.force_login(team_manager)
    home = client.get(reverse("home")).content.decode()
    to_do = Audit.objects.filter(auditor=team_manager, status__in=("allocated", "in_progress")).first()
    assert to_do.case_reference in home
    waiting = Audit.objects.filter(
        reported_grade=Grade.INADEQUATE, talked_through_at__isnull=True, practitioner=practitioner
    ).first()
    assert waiting is not None
    assert waiting.case_reference in home
    listed = client.get(reverse("audits:audit-list")).content.decode()
    assert waiting.case_reference in listed

    client.force_login(practitioner)
    home = client.get(reverse("home")).content.decode()
    to_read = Audit.objects.filter(practitioner=practitioner, status="submitted", reported_grade=Grade.GOOD).first()
    assert to_read is not None
    assert to_read.case_reference in home
    assert reverse("audits:audit-practitioner", args=[to_read.pk]) in home
    # The Inadequate audit not yet talked through is not on the practitioner's page.
    assert reverse("audits:audit-practitioner", args=[waiting.pk]) not in home
    assert reverse("audits:audit-detail", args=[waiting.pk]) not in home


def test_a_second_seed_adds_nothing_and_the_same_date_gives_the_same_audits(db):
    seed()
    first = snapshot()
    counts = (Audit.objects.count(), ElementAnswer.objects.count(), Action.objects.count())
    output = seed()
    assert "audits: 0 created" in output
    assert "nothing added" in output
    assert snapshot() == first
    assert (Audit.objects.count(), ElementAnswer.objects.count(), Action.objects.count()) == counts
    # From scratch again: the same audits.
    for model in PROGRAMME_MODELS:
        model.objects.all().delete()
    seed()
    assert snapshot() == first


def test_seeded_audits_start_their_audit_trail(seeded):
    # Every seeded audit and answer has its history from the start (drafts started through the
    # services have more than one row).
    assert Audit.history.values("id").distinct().count() == Audit.objects.count()
    assert ElementAnswer.history.values("id").distinct().count() == ElementAnswer.objects.count()


def test_without_audit_tools_the_audits_are_skipped_and_say_so(world):
    report = demo_audits_seed(size="tiny", today=TODAY)
    assert report.skipped
    assert "load_framework" in report.lines()[0]
    assert not Audit.objects.exists()
