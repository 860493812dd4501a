"""Agreement statistics: the pure figures (kappa worked by hand, edge cases, confusion matrix),
and the pages — authority and service level, "read with care", scope, the per-auditor view
hidden below 10 and seen only by that auditor and the QA team, the chart with its table, and a
query budget that does not grow with rows."""

from __future__ import annotations

import base64
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import agreement
from audits.agreement import (
    confusion_matrix,
    direction,
    exact_agreement,
    quadratic_weighted_kappa,
    within_one,
)
from audits.models import Moderation

from .factories import allocate, mark_submitted

O, G, R, I = "outstanding", "good", "requires_improvement", "inadequate"  # noqa: E741


def pairs_from(matrix: list[list[int]]) -> list[tuple[str, str]]:
    grades = [O, G, R, I]
    return [(grades[i], grades[j]) for i, row in enumerate(matrix) for j, n in enumerate(row) for _ in range(n)]


# The worked example: 20 moderated audits. Rows: auditor O, G, RI, I; columns: moderator.
WORKED = [
    [2, 1, 0, 0],  # auditor Outstanding: 3
    [1, 5, 1, 0],  # auditor Good: 7
    [0, 2, 4, 1],  # auditor Requires improvement: 7
    [0, 0, 1, 2],  # auditor Inadequate: 3
]
# Worked by hand (k = 4, w_ij = (i − j)² / 9, n = 20):
#   row totals r = [3, 7, 7, 3], column totals c = [3, 8, 6, 3].
#   Observed: every disagreement is one step (w = 1/9): cells 1+1+1+2+1+1 = 7,
#     Σ w·O = (7 / 9) / 20.
#   Expected: Σ r_i·c_j·(i − j)² over the cells =
#     row O : 3 × (8·1 + 6·4 + 3·9)  = 3 × 59 = 177
#     row G : 7 × (3·1 + 6·1 + 3·4)  = 7 × 21 = 147
#     row RI: 7 × (3·4 + 8·1 + 3·1)  = 7 × 23 = 161
#     row I : 3 × (3·9 + 8·4 + 6·1)  = 3 × 65 = 195      total 680,
#     Σ w·E = 680 / 9 / 20².
#   κ = 1 − (7/9/20) / (680/9/400) = 1 − 7·20/680 = 1 − 140/680 = 1 − 0.2059 = 0.7941.
WORKED_KAPPA = 0.7941


def test_kappa_matches_the_worked_example():
    assert quadratic_weighted_kappa(pairs_from(WORKED)) == pytest.approx(WORKED_KAPPA, abs=5e-5)


def test_confusion_matrix_rows_are_the_auditor_columns_the_moderator():
    assert confusion_matrix(pairs_from(WORKED)) == WORKED
    assert confusion_matrix([(G, O)]) == [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    # A pair missing a grade is left out rather than guessed.
    assert confusion_matrix([(G, ""), ("", O)]) == [[0] * 4 for _ in range(4)]


def test_exact_and_within_one_agreement():
    pairs = pairs_from(WORKED)
    assert exact_agreement(pairs) == pytest.approx(13 / 20)
    assert within_one(pairs) == 1.0
    two_apart = [(O, R), (G, G), (G, I), (I, O)]
    assert exact_agreement(two_apart) == 0.25
    assert within_one(two_apart) == 0.25
    assert exact_agreement([]) is None
    assert within_one([]) is None


def test_direction_of_differences():
    d = direction(pairs_from(WORKED))
    # Higher = nearer Outstanding: G→O, RI→G (2), I→RI.
    assert (d.higher, d.same, d.lower) == (4, 13, 3)


def test_kappa_perfect_agreement_across_several_grades_is_one():
    assert quadratic_weighted_kappa([(O, O), (G, G), (R, R), (I, I), (G, G)]) == 1.0


def test_kappa_is_not_defined_when_only_one_grade_is_used():
    assert quadratic_weighted_kappa([(G, G)] * 12) is None


def test_kappa_is_not_defined_for_no_pairs():
    assert quadratic_weighted_kappa([]) is None


def test_kappa_single_different_grades_is_zero_and_systematic_disagreement_negative():
    assert quadratic_weighted_kappa([(G, R)] * 5) == 0.0
    assert quadratic_weighted_kappa([(O, I), (I, O)]) < 0


# --- pages --------------------------------------------------------------------------------------
FROM, TO = "2026-09", "2026-11"


def moderate(world, tool, *, case, auditor, auditor_grade, moderator_grade, month=datetime.date(2026, 11, 1)):
    """An audit by ``auditor`` graded ``auditor_grade``, moderated (done) to ``moderator_grade``."""
    audit = allocate(
        getattr(world, case),
        world.people[auditor],
        version=tool,
        actor=world.people["qa_officer"],
        today=month.replace(day=2),
        due_on=month.replace(day=28),
    )
    mark_submitted(audit, grade=auditor_grade, on=month.replace(day=10))
    agrees = auditor_grade == moderator_grade
    Moderation.objects.create(
        audit=audit,
        status=Moderation.Status.DONE,
        reason="random",
        selected_at=timezone.now(),
        moderator=world.people["qa_officer"],
        overall_agrees=agrees,
        overall_grade="" if agrees else moderator_grade,
        overall_reason="" if agrees else "The evidence points to a different grade.",
        completed_at=timezone.now(),
    )
    return audit


def moderate_many(world, tool, pairs, **kwargs):
    for auditor_grade, moderator_grade in pairs:
        moderate(world, tool, auditor_grade=auditor_grade, moderator_grade=moderator_grade, **kwargs)


def get(client, person, name="audits:agreement", query=None, **kwargs):
    client.force_login(person)
    return client.get(reverse(name, kwargs=kwargs), {"from_month": FROM, "to_month": TO} if query is None else query)


def text_of(response, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert match, f"no #{element_id}"
    return match.group(1).strip()


def test_authority_level_figures_for_the_qa_team(client, world, tool):
    moderate_many(world, tool, pairs_from(WORKED)[:12], case="case_a", auditor="team_manager_other")
    moderate_many(world, tool, pairs_from(WORKED)[12:], case="case_b", auditor="team_manager_same")
    response = get(client, world.people["qa_officer"])
    assert response.status_code == 200
    assert text_of(response, "figure-count") == "20"
    assert text_of(response, "figure-exact") == "65%"
    assert text_of(response, "figure-within-one") == "100%"
    assert text_of(response, "figure-kappa") == "0.79"
    assert "read-with-care" not in response.content.decode()
    matrix = response.context["stats"].overall.matrix
    assert matrix == WORKED
    html = response.content.decode()
    assert "<caption" in html
    assert "Auditor's overall grade (rows) against the moderator's" in html
    assert 'scope="col"' in html
    assert 'scope="row"' in html


def test_service_level_for_the_chosen_area_only(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 3, case="case_a", auditor="team_manager_other")
    moderate_many(world, tool, [(G, R)] * 2, case="case_b", auditor="team_manager_same")
    response = get(
        client,
        world.people["qa_officer"],
        query={"from_month": FROM, "to_month": TO, "service_area": str(world.area_b.pk)},
    )
    assert text_of(response, "figure-count") == "2"
    assert text_of(response, "figure-exact") == "0%"
    assert response.context["area"] == world.area_b


def test_counts_below_ten_are_flagged_read_with_care(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 9, case="case_a", auditor="team_manager_other")
    response = get(client, world.people["qa_officer"])
    assert "Read with care" in response.content.decode()
    moderate(world, tool, case="case_a", auditor="team_manager_other", auditor_grade=O, moderator_grade=O)
    response = get(client, world.people["qa_officer"])
    assert 'id="read-with-care"' not in response.content.decode()


def test_single_grade_kappa_is_explained_not_shown_as_a_number(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 10, case="case_a", auditor="team_manager_other")
    response = get(client, world.people["qa_officer"])
    assert text_of(response, "figure-kappa") == "Not defined: only one grade used"


def test_empty_period_says_so(client, world, tool):
    response = get(client, world.people["qa_officer"])
    assert "No audits of these months have been moderated yet" in response.content.decode()


def test_months_outside_the_period_are_left_out(client, world, tool):
    moderate(
        world,
        tool,
        case="case_a",
        auditor="team_manager_other",
        auditor_grade=G,
        moderator_grade=G,
        month=datetime.date(2026, 6, 1),
    )
    moderate(world, tool, case="case_a", auditor="team_manager_other", auditor_grade=G, moderator_grade=R)
    response = get(client, world.people["qa_officer"])
    assert text_of(response, "figure-count") == "1"


def test_moderations_not_done_are_left_out(client, world, tool):
    audit = moderate(world, tool, case="case_a", auditor="team_manager_other", auditor_grade=G, moderator_grade=R)
    Moderation.objects.filter(audit=audit).update(status=Moderation.Status.IN_PROGRESS)
    response = get(client, world.people["qa_officer"])
    assert "No audits of these months have been moderated yet" in response.content.decode()


@pytest.mark.parametrize("persona", ["team_manager_same", "service_manager_same", "head_of_service"])
def test_managers_see_only_their_own_service_area(client, world, tool, persona):
    moderate_many(world, tool, [(G, G)] * 3, case="case_a", auditor="team_manager_other")
    moderate_many(world, tool, [(G, R)] * 2, case="case_b", auditor="team_manager_same")
    response = get(client, world.people[persona])
    assert response.status_code == 200
    assert response.context["area"] == world.area_a
    assert text_of(response, "figure-count") == "3"
    assert [a.pk for a in response.context["areas"]] == [world.area_a.pk]
    assert world.area_b.name not in response.content.decode()
    # Asking for another area is refused as an invalid choice; their own figures stay.
    response = get(
        client,
        world.people[persona],
        query={"from_month": FROM, "to_month": TO, "service_area": str(world.area_b.pk)},
    )
    assert response.context["area"] == world.area_a
    assert "<title>Error: " in response.content.decode()


@pytest.mark.parametrize("persona", ["practitioner_own", "iro", "bi_officer", "principal_social_worker"])
def test_people_without_audit_lists_are_refused(client, world, persona):
    assert get(client, world.people[persona]).status_code == 403


def test_bad_period_shows_errors_and_keeps_input(client, world, tool):
    response = get(client, world.people["qa_officer"], query={"from_month": "2026-13", "to_month": "2026-01"})
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Enter the first month as a year and month" in html
    assert 'value="2026-13"' in html


def test_last_month_before_first_is_an_error(client, world, tool):
    response = get(client, world.people["qa_officer"], query={"from_month": "2026-11", "to_month": "2026-01"})
    assert "The last month must be the same as or after the first month" in response.content.decode()


def test_default_period_is_the_last_twelve_months(client, world, tool):
    response = get(client, world.people["qa_officer"], query={})
    first, last = agreement.default_period(timezone.localdate())
    assert response.context["first"] == first
    assert response.context["last"] == last
    assert len(response.context["stats"].months) == 12


def test_trend_chart_is_an_image_with_alt_text_and_the_table_beside_it(client, world, tool):
    moderate_many(world, tool, [(G, G), (G, R)], case="case_a", auditor="team_manager_other")
    moderate(
        world,
        tool,
        case="case_a",
        auditor="team_manager_other",
        auditor_grade=R,
        moderator_grade=R,
        month=datetime.date(2026, 10, 1),
    )
    response = get(client, world.people["qa_officer"])
    html = response.content.decode()
    img = re.search(
        r'<img class="app-chart" id="trend-chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html
    )
    assert img, "the trend chart is an <img> with a data URI and alt text"
    svg = base64.b64decode(img.group(1)).decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert "Line chart of agreement by month" in img.group(2)
    assert "<style" not in html.split("<body", 1)[1].replace(img.group(1), "")  # no inline style in the page
    table = html.split('id="trend-table"', 1)[1].split("</table>", 1)[0]
    for month, count, exact in (("Sep 2026", "0", "No figure"), ("Oct 2026", "1", "100%"), ("Nov 2026", "2", "50%")):
        row = table.split(month, 1)[1].split("</tr>", 1)[0]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[0].strip() == count
        assert cells[1].strip() == exact


def test_chart_is_deterministic(world, tool):
    stats = agreement.statistics(
        [agreement.Row(datetime.date(2026, 11, 1), world.area_a.pk, G, R)],
        first=datetime.date(2026, 9, 1),
        last=datetime.date(2026, 11, 1),
    )
    assert agreement.trend_chart_data_uri(stats) == agreement.trend_chart_data_uri(stats)


def test_no_ranking_or_list_of_auditors_on_the_statistics_page(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 5, case="case_a", auditor="team_manager_other")
    moderate_many(world, tool, [(G, R)] * 5, case="case_b", auditor="team_manager_same")
    html = get(client, world.people["qa_officer"]).content.decode()
    assert world.people["team_manager_other"].full_name not in html
    assert world.people["team_manager_same"].full_name not in html


def test_statistics_page_queries_do_not_grow_with_rows(client, world, tool, django_assert_max_num_queries):
    moderate_many(world, tool, [(G, G)], case="case_a", auditor="team_manager_other")
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:agreement")
    query = {"from_month": FROM, "to_month": TO}
    client.get(url, query)  # warm caches (session, settings)
    with CaptureQueriesContext(connection) as few:
        client.get(url, query)
    moderate_many(world, tool, [(G, R), (O, G), (I, R)] * 5, case="case_b", auditor="team_manager_same")
    # Session and user, the scope (role and duty assignments), the areas, and one query for
    # every moderated audit's grades: the same however many there are.
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, query)
    assert text_of(response, "figure-count") == "16"


# --- the per-auditor view -----------------------------------------------------------------------
AUDITOR = "team_manager_other"


def test_auditor_sees_own_counts_and_agreement_without_kappa(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 7 + [(G, R)] * 2 + [(O, R)], case="case_a", auditor=AUDITOR)
    person = world.people[AUDITOR]
    response = get(client, person, "audits:agreement-auditor", person_id=person.pk)
    assert response.status_code == 200
    assert text_of(response, "figure-count") == "10"
    assert text_of(response, "figure-exact") == "7 (70%)"
    assert text_of(response, "figure-within-one") == "9 (90%)"
    html = response.content.decode().lower()
    assert "kappa" not in html


def test_auditor_view_hidden_below_ten(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 9, case="case_a", auditor=AUDITOR)
    person = world.people[AUDITOR]
    for viewer in (person, world.people["qa_officer"]):
        response = get(client, viewer, "audits:agreement-auditor", person_id=person.pk)
        html = response.content.decode()
        assert 'id="figures-hidden"' in html
        assert 'id="figure-exact"' not in html
        assert "90%" not in html
        assert "100%" not in html


def test_qa_team_sees_an_auditors_view(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 10, case="case_a", auditor=AUDITOR)
    person = world.people[AUDITOR]
    for qa in ("qa_officer", "qa_manager"):
        response = get(client, world.people[qa], "audits:agreement-auditor", person_id=person.pk)
        assert response.status_code == 200
        assert text_of(response, "figure-exact") == "10 (100%)"


@pytest.mark.parametrize(
    "persona",
    [
        "team_manager_same",  # another auditor
        "service_manager_other",  # the auditor's own manager line (area B)
        "service_manager_same",
        "head_of_service",
        "director",
        "assistant_director",
        "practitioner_own",
    ],
)
def test_auditor_view_invisible_to_other_auditors_and_managers(client, world, tool, persona):
    moderate_many(world, tool, [(G, G)] * 10, case="case_a", auditor=AUDITOR)
    person = world.people[AUDITOR]
    assert get(client, world.people[persona], "audits:agreement-auditor", person_id=person.pk).status_code == 404


def test_auditor_view_of_someone_unknown_is_404(client, world):
    assert get(client, world.people["qa_officer"], "audits:agreement-auditor", person_id=999_999).status_code == 404


def test_auditor_view_counts_only_that_auditors_audits(client, world, tool):
    moderate_many(world, tool, [(G, G)] * 10, case="case_a", auditor=AUDITOR)
    moderate_many(world, tool, [(G, I)] * 10, case="case_b", auditor="team_manager_same")
    person = world.people[AUDITOR]
    response = get(client, person, "audits:agreement-auditor", person_id=person.pk)
    assert text_of(response, "figure-count") == "10"
    assert text_of(response, "figure-exact") == "10 (100%)"
