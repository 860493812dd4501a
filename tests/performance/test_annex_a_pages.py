"""The Annex A pages through personas: BI and the QA team upload workbooks and see the snapshots
and their unreadable rows; readers compare the app estimates with BI's figures for the scopes they
may see (another team's scope is a 404); the QA team lists the children with no case file. Query
counts do not grow with the data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AccessLog
from performance.models import AnnexAEvent, AnnexASnapshot, AnnexAUpload, FigureOfRecord
from performance.services.annex_a import annex_a_import
from tests.factories import TeamFactory

from .test_annex_a_reading import xlsx
from .test_estimates import estimate_indicators

D = datetime.date
TODAY = D(2026, 11, 2)
IMPORT = reverse("performance:annex-a-import")
RECONCILIATION = reverse("performance:reconciliation")
UNMATCHED = reverse("performance:annex-a-unmatched")


def referrals_workbook(*, rows: int = 3, team: str = "a1", bad_rows: int = 0) -> bytes:
    """March 2026 referrals of children "<team>-0", "<team>-1"… for one team, and unreadable rows."""
    data = [["Child ID", "Date of referral", "Referral NFA", "Allocated team"]]
    data += [[f"{team}-{n}", D(2026, 3, 2 + n % 20), "N", team] for n in range(rows)]
    data += [[f"X{n}", "not a date", "N", team] for n in range(bad_rows)]
    return xlsx({"List 3 - Referrals": data})


@pytest.fixture
def bi_client(client, world):
    client.force_login(world.people["bi_officer"])
    return client


# --- the import page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["bi_officer", "qa_officer", "qa_manager"])
def test_bi_and_the_qa_team_upload_a_workbook(client, world, persona, django_capture_on_commit_callbacks):
    client.force_login(world.people[persona])
    upload = ("annex-a.xlsx", referrals_workbook(bad_rows=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT, {"file": _file(*upload)})
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    page = client.get(IMPORT).content.decode()
    assert "annex-a.xlsx is being imported" in page
    assert "Imported" in page
    assert "3 rows read, 3 events added, 0 updated, 1 unreadable row problems" in page
    # The snapshot's unreadable row, by sheet, row and column.
    assert "B (Date of referral)" in page
    assert "&#x27;not a date&#x27; is not a date we can read" in page
    snapshot = AnnexASnapshot.objects.get()
    assert snapshot.imported_by == world.people[persona]
    assert AnnexAUpload.objects.get().status == AnnexAUpload.Status.IMPORTED


def test_the_same_workbook_again_says_nothing_changed(bi_client, world):
    data = referrals_workbook()
    annex_a_import(data=data, file_name="annex-a.xlsx", today=TODAY)
    response = bi_client.post(IMPORT, {"file": _file("again.xlsx", data)}, follow=True)
    assert "This workbook was imported already" in response.content.decode()
    assert AnnexASnapshot.objects.count() == 1
    assert AnnexAEvent.objects.count() == 3


def test_a_workbook_still_queued_shows_its_progress(bi_client, world):
    # Without the commit callbacks the job stays queued, as it would while a worker is busy.
    bi_client.post(IMPORT, {"file": _file("big.xlsx", referrals_workbook())})
    page = bi_client.get(IMPORT).content.decode()
    assert "Waiting to be imported" in page
    assert "Refresh this page" in page


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({}, "Choose an Annex A workbook to import"),
        ({"file": ("referrals.csv", b"child_id,date\nA,2026-03-01\n")}, "The file must be an Excel workbook (.xlsx)"),
        ({"file": ("renamed.xlsx", b"child_id,date\nA,2026-03-01\n")}, "The file must be an Excel workbook (.xlsx)"),
    ],
)
def test_a_bad_upload_shows_the_error_summary(bi_client, world, post, message):
    data = {key: _file(*value) for key, value in post.items()}
    response = bi_client.post(IMPORT, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Annex A workbooks" in page
    assert "govuk-error-summary" in page
    assert message in page
    assert not AnnexAUpload.objects.exists()


@pytest.mark.parametrize(
    "persona", ["team_manager_same", "service_manager_same", "assistant_director", "practitioner_own"]
)
def test_people_outside_bi_and_the_qa_team_cannot_import(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": _file("a.xlsx", referrals_workbook())}).status_code == 403
    assert not AnnexAUpload.objects.exists()


def test_pages_answer_only_their_methods(bi_client, world):
    assert bi_client.put(IMPORT).status_code == 405
    assert bi_client.post(RECONCILIATION).status_code == 405
    assert bi_client.post(UNMATCHED).status_code == 405


def test_the_import_page_query_count_does_not_grow_with_snapshots(bi_client, world, django_capture_on_commit_callbacks):
    annex_a_import(data=referrals_workbook(bad_rows=2), file_name="first.xlsx", today=TODAY)
    bi_client.post(IMPORT, {"file": _file("q.xlsx", referrals_workbook(rows=4))})
    small = _count(bi_client, IMPORT)
    for n in range(5):
        annex_a_import(data=referrals_workbook(rows=5 + n, bad_rows=n), file_name=f"more-{n}.xlsx", today=TODAY)
        bi_client.post(IMPORT, {"file": _file(f"u{n}.xlsx", referrals_workbook(rows=20 + n))})
    assert _count(bi_client, IMPORT) == small


# --- the reconciliation ---------------------------------------------------------------------------------
@pytest.fixture
def reconciled(world):
    """Three referrals in March 2026 for team A1, one for B1; BI's figure for the authority is 5."""
    indicators = estimate_indicators()
    annex_a_import(data=referrals_workbook(), file_name="a1.xlsx", today=TODAY)
    annex_a_import(data=referrals_workbook(rows=1, team="b1"), file_name="b1.xlsx", today=TODAY)
    FigureOfRecord.objects.create(
        indicator=indicators["referrals"],
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 31),
        scope_key="authority",
        value=Decimal(5),
    )
    return indicators


def _cells(page: str, indicator: str, month: str) -> str:
    start = page.index(f'data-indicator="{indicator}"')
    row = page.index(f'data-month="{month}"', start)
    return page[row : page.index("</tr>", row)]


def test_the_app_estimate_is_shown_beside_bis_figure_with_the_difference(client, world, reconciled):
    client.force_login(world.people["assistant_director"])
    response = client.get(RECONCILIATION, {"first_month": "2026-01", "last_month": "2026-03"})
    page = response.content.decode()
    assert response.status_code == 200
    # Three referrals for A1 and one for B1: the app estimates 4 where BI reports 5.
    row = _cells(page, "referrals", "2026-03")
    assert '<td class="govuk-table__cell govuk-table__cell--numeric" data-cell="estimate">4</td>' in row
    assert 'data-cell="figure">5</td>' in row
    assert 'data-cell="difference">-1</td>' in row
    # February is before the first month of the workbooks: neither an estimate nor a figure.
    february = _cells(page, "referrals", "2026-02")
    assert 'data-cell="estimate"><span class="govuk-visually-hidden">None</span>–' in february
    assert 'data-cell="figure"><span class="govuk-visually-hidden">None</span>–' in february
    assert "App estimate" in page
    assert "How the app estimates it: Referrals (list 3) by the month of the referral date." in page
    assert 'data-cell="estimate"><span class="govuk-visually-hidden">None</span>–' in _cells(
        page, "re_referral_rate", "2026-03"
    )


def test_a_team_manager_reads_their_team_and_not_another(client, world, reconciled):
    client.force_login(world.people["team_manager_same"])
    page = client.get(RECONCILIATION, {"scope": "team:a1", "first_month": "2026-03", "last_month": "2026-03"})
    assert page.status_code == 200
    assert 'data-cell="estimate">3</td>' in _cells(page.content.decode(), "referrals", "2026-03")
    assert client.get(RECONCILIATION, {"scope": "team:b1"}).status_code == 404
    assert client.get(RECONCILIATION, {"scope": "area:area-b"}).status_code == 404
    assert client.get(RECONCILIATION, {"scope": "team:no-such-team"}).status_code == 404
    choices = page.context["form"].fields["scope"].choices
    assert [key for key, _ in choices] == ["authority", "area:area-a", "team:a1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first_month": "March"}, "Enter the first month as a year and month, for example 2025-04"),
        ({"first_month": "2026-05", "last_month": "2026-01"}, "The last month must be the same as or after the first"),
        ({"first_month": "2020-01", "last_month": "2026-01"}, "Choose at most 36 months"),
    ],
)
def test_bad_months_show_the_error_summary_and_the_default_months(client, world, reconciled, query, message):
    client.force_login(world.people["bi_officer"])
    response = client.get(RECONCILIATION, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<title>Error: App estimates beside BI") == 1
    assert message in page
    assert response.context["last"] == D(2026, 3, 1)  # the latest month with an estimate
    assert response.context["first"] == D(2025, 4, 1)


@pytest.mark.parametrize("persona", ["practitioner_own", "conference_chair", "participation_officer", "administrator"])
def test_people_without_performance_data_cannot_read_the_reconciliation(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(RECONCILIATION).status_code == 403


def test_the_reconciliation_query_count_does_not_grow_with_data(
    client, world, reconciled, django_assert_max_num_queries
):
    client.force_login(world.people["bi_officer"])
    query = {"scope": "authority", "first_month": "2025-04", "last_month": "2026-03"}
    small = _count(client, RECONCILIATION, query)
    teams = [TeamFactory(code=f"x{n}", service_area=world.area_a).code for n in range(6)]
    for n, team in enumerate(teams):
        annex_a_import(data=referrals_workbook(rows=10 + n, team=team), file_name=f"{team}.xlsx", today=TODAY)
    assert _count(client, RECONCILIATION, query) == small
    # Session and user; role assignments and duties (the scope); areas and teams (the scopes);
    # the latest estimate month; indicators; estimates; figures of record; the latest data date.
    with django_assert_max_num_queries(11):
        client.get(RECONCILIATION, query)


# --- children with no case file --------------------------------------------------------------------------
def test_the_qa_team_lists_children_with_no_case_file_page_by_page(client, world):
    rows = [["Child ID", "Date of contact"], ["case-a", D(2026, 3, 1)]]  # CASE-A has a case file
    rows += [[f"U{n:03d}", D(2026, 3, 2)] for n in range(55)]
    rows += [["U000", D(2026, 3, 5)]]
    annex_a_import(
        data=xlsx({"List 1": rows, "List 3": [["Child ID", "Date of referral"], ["U000", D(2026, 3, 6)]]}),
        file_name="a.xlsx",
        today=TODAY,
    )
    client.force_login(world.people["qa_officer"])
    page = client.get(UNMATCHED).content.decode()
    assert "55 children without a case file" in page
    assert "case-a" not in page
    assert "U049" in page
    assert "U050" not in page
    first = page[page.index("U000") : page.index("</tr>", page.index("U000"))]
    assert "1, 3" in first  # on lists 1 and 3
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in first  # three events
    assert "import the caseload" in page
    second = client.get(UNMATCHED, {"page": 2}).content.decode()
    assert "U054" in second
    assert "U000" not in second
    assert (
        AccessLog.objects.filter(
            user=world.people["qa_officer"], object_type="annex_a_unmatched", action=AccessLog.Action.VIEW
        ).count()
        == 2
    )


def test_bi_reads_the_list_without_the_caseload_link(client, world):
    client.force_login(world.people["bi_officer"])
    page = client.get(UNMATCHED).content.decode()
    assert "Every child on the Annex A lists held has a case file." in page
    assert "import the caseload" not in page


def test_the_unmatched_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.people["qa_manager"])
    annex_a_import(data=xlsx({"List 1": [["Child ID", "Date of contact"], ["A", D(2026, 3, 1)]]}), file_name="a.xlsx")
    small = _count(client, UNMATCHED)
    rows = [["Child ID", "Date of contact"], *([f"B{n}", D(2026, 3, 2)] for n in range(80))]
    annex_a_import(data=xlsx({"List 1": rows}), file_name="b.xlsx")
    assert _count(client, UNMATCHED) == small
    # Session and user; role assignments and duties; the count; the page; its lists; the access log.
    with django_assert_max_num_queries(8):
        client.get(UNMATCHED)


@pytest.mark.parametrize("persona", ["team_manager_same", "assistant_director", "principal_social_worker"])
def test_others_cannot_list_the_children_with_no_case_file(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(UNMATCHED).status_code == 403


# --- helpers ------------------------------------------------------------------------------------------
def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _count(client, url: str, query: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


# --- "my work" links ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "bi_officer",
            {"Annex A workbooks", "App estimates beside BI's figures", "Annex A children without a case file"},
        ),
        (
            "qa_manager",
            {"Annex A workbooks", "App estimates beside BI's figures", "Annex A children without a case file"},
        ),
        ("team_manager_same", {"App estimates beside BI's figures"}),
        ("practitioner_own", set()),
    ],
)
def test_my_work_links_to_the_annex_a_pages_a_person_may_use(client, world, persona, expected):
    client.force_login(world.people[persona])
    page = client.get(reverse("home")).content.decode()
    labels = {"Annex A workbooks", "App estimates beside BI&#x27;s figures", "Annex A children without a case file"}
    assert {label.replace("&#x27;", "'") for label in labels if f">{label}</a>" in page} == expected
