"""BI's figures pages: upload a CSV, see the check (every problem by row and column, or what will
change), confirm; download the templates; list the figures held. Personas from tests/conftest.py."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportBatch
from organisation import services as organisation_services
from performance.models import Benchmark, FigureOfRecord, Indicator
from performance.services.figures import BENCHMARK_COLUMNS, FIGURE_COLUMNS, figures_batch_create, figures_import

from .test_figures_import import (
    CATALOGUE,
    TODAY,
    benchmark,
    catalogue,  # noqa: F401 (a fixture)
    csv_text,
    figure,
)

UPLOAD_URL = reverse("performance:figures-import")
LIST_URL = reverse("performance:figures-list")
# Every page of this part reads "today" from the scope: the clock is the tests' fixed day. The
# catalogue's few indicators exist in every test.
pytestmark = pytest.mark.usefixtures("frozen_today", "catalogue")


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def bi_client(client, world):
    client.force_login(world.people["bi_officer"])
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", page_text(response), re.S).group(1).strip()


def table_rows(text: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with ``table_id``, as cell texts."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', text, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def upload(client, content: str, *, name: str = "figures.csv"):
    file = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(UPLOAD_URL, {"file": file}, follow=True)


def confirm(client, batch: ImportBatch):
    response = client.post(reverse("performance:figures-import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    return client.get(response["Location"])


# --- upload, check, confirm -------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["bi_officer", "qa_officer", "qa_manager"])
def test_bi_and_the_qa_team_upload_check_and_confirm(client, world, persona):
    client.force_login(world.people[persona])
    FigureOfRecord.objects.create(
        indicator=Indicator.objects.get(code="referrals"),
        period_start=datetime.date(2025, 5, 1),
        period_end=datetime.date(2025, 5, 31),
        scope_key="authority",
        value=Decimal("300"),
    )
    text = csv_text(
        [
            figure(value="312"),
            figure(scope="a1", value="41"),
            figure(indicator="assessments_in_45_days_pct", value="86.4", numerator="242", denominator="280"),
        ]
    )

    response = upload(client, text)

    assert response.status_code == 200
    page = page_text(response)
    assert "What this import will change" in page
    assert "3 rows: 2 new, 1 replacing a value held, 0 the same as the value held." in page
    assert table_rows(page, "changes") == [
        ["Referrals (referrals)", "1", "1", "0"],
        ["Assessments in 45 days pct (assessments_in_45_days_pct)", "1", "0", "0"],
    ]
    # Nothing is written until the person confirms.
    assert FigureOfRecord.objects.get(scope_key="authority", indicator__code="referrals").value == Decimal("300")
    batch = ImportBatch.objects.get(kind=ImportBatch.Kind.INDICATORS)
    assert batch.status == ImportBatch.Status.CHECKED

    page = page_text(confirm(client, batch))

    assert "Import complete." in page
    assert "2 added, 1 replaced, 0 unchanged" in page
    assert FigureOfRecord.objects.get(scope_key="authority", indicator__code="referrals").value == Decimal("312")
    assert FigureOfRecord.objects.count() == 3
    assert set(FigureOfRecord.objects.values_list("import_batch", flat=True)) == {batch.pk}
    batch.refresh_from_db()
    assert (batch.status, batch.content) == (ImportBatch.Status.IMPORTED, "")
    # The history names who confirmed it.
    latest = FigureOfRecord.objects.get(scope_key="authority", indicator__code="referrals").history.latest()
    assert latest.history_user == world.people[persona]


def test_a_file_with_problems_lists_each_by_row_and_column_and_cannot_be_confirmed(bi_client, world):
    text = csv_text([figure(), figure(indicator="referals", scope="zz9"), figure(period_end="2025-04-30")])

    response = upload(bi_client, text)

    page = page_text(response)
    assert title(response).startswith("Error: ")
    assert "The file was refused: 3 problems to fix" in page
    assert table_rows(page, "problems") == [
        ["3", "indicator", "'referals' is not an indicator code in the catalogue"],
        ["3", "scope", "'zz9' is not authority, a service-area code or a team code"],
        ["4", "period_end", "30/04/2025 is before the period starts (01/05/2025)"],
    ]
    assert "Confirm and import" not in page
    # The corrected file is uploaded from the same page.
    assert "Upload the corrected file" in page
    assert not FigureOfRecord.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.content) == (ImportBatch.Status.REFUSED, "")
    response = bi_client.post(reverse("performance:figures-import-confirm", args=[batch.pk]), follow=True)
    assert "already been confirmed, or it has problems to fix first" in page_text(response)
    assert not FigureOfRecord.objects.exists()


def test_benchmarks_upload_through_the_same_page(bi_client, world):
    response = upload(bi_client, csv_text([benchmark(), benchmark(comparator="statistical_neighbours")]))
    assert "Benchmarks import" in page_text(response)
    page = page_text(confirm(bi_client, ImportBatch.objects.get()))
    assert "2 added, 0 replaced, 0 unchanged" in page
    assert Benchmark.objects.count() == 2
    assert ImportBatch.objects.get().kind == ImportBatch.Kind.BENCHMARKS


def test_confirm_checks_the_file_again(bi_client, world):
    upload(bi_client, csv_text([figure(scope="a1")]))
    batch = ImportBatch.objects.get()
    # Between the check and the confirm, BI decides referrals are held for service areas up.
    Indicator.objects.filter(code="referrals").update(lowest_scope="area")

    page = page_text(confirm(bi_client, batch))

    assert "Nothing was imported: the file no longer checks out." in page
    assert table_rows(page, "problems") == [
        ["2", "scope", "'a1' is a team: referrals is held for service areas and the whole authority only"]
    ]
    assert "something had changed since the first check" in page
    assert not FigureOfRecord.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REFUSED


def test_a_batch_is_confirmed_once(bi_client, world):
    upload(bi_client, csv_text([figure()]))
    batch = ImportBatch.objects.get()
    confirm(bi_client, batch)
    FigureOfRecord.objects.update(value=Decimal("1"))

    page = page_text(confirm(bi_client, batch))

    assert "already been confirmed" in page
    assert FigureOfRecord.objects.get().value == Decimal("1")


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({}, "Choose a CSV file to check"),
        (
            {"file": SimpleUploadedFile("f.csv", "indicator,scope\n".encode("utf-16"), content_type="text/csv")},
            "The file is not UTF-8 text",
        ),
    ],
    ids=["no file", "not utf-8"],
)
def test_a_bad_upload_shows_the_error_summary(bi_client, world, post, message):
    response = bi_client.post(UPLOAD_URL, post)
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert 'class="govuk-error-summary"' in page_text(response)
    assert message in page_text(response)
    assert not ImportBatch.objects.exists()


def test_the_import_page_lists_recent_imports(bi_client, world):
    figures_batch_create(file_name="may-figures.csv", text=csv_text([figure()]), actor=world.people["qa_officer"])
    page = page_text(bi_client.get(UPLOAD_URL))
    assert "may-figures.csv" in page
    assert "Recent imports" in page


def test_another_kind_of_batch_is_not_found(bi_client, world):
    caseload = organisation_services.caseload_batch_create(
        file_name="caseload.csv",
        text="case_reference,child_initials,birth_year,case_type,team_code,opened_on\n",
        full_extract=False,
        actor=world.people["qa_officer"],
    )
    assert bi_client.get(reverse("performance:figures-batch", args=[caseload.pk])).status_code == 404
    assert bi_client.post(reverse("performance:figures-import-confirm", args=[caseload.pk])).status_code == 404
    assert bi_client.get(reverse("performance:figures-batch", args=[caseload.pk + 100])).status_code == 404


# --- roles and methods ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "persona", ["team_manager_same", "service_manager_same", "director", "principal_social_worker"]
)
def test_people_outside_bi_and_the_qa_team_are_refused(client, world, persona):
    batch = figures_batch_create(file_name="f.csv", text=csv_text([figure()]), actor=world.people["bi_officer"])
    client.force_login(world.people[persona])
    for name, kwargs in (
        ("performance:figures-import", {}),
        ("performance:figures-batch", {"batch_id": batch.pk}),
        ("performance:figures-template", {}),
        ("performance:benchmarks-template", {}),
        ("performance:figures-list", {}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    assert client.post(reverse("performance:figures-import-confirm", args=[batch.pk])).status_code == 403
    assert not FigureOfRecord.objects.exists()


def test_pages_answer_only_their_methods(bi_client, world):
    batch = figures_batch_create(file_name="f.csv", text=csv_text([figure()]), actor=world.people["bi_officer"])
    assert bi_client.get(reverse("performance:figures-import-confirm", args=[batch.pk])).status_code == 405
    assert bi_client.post(reverse("performance:figures-batch", args=[batch.pk])).status_code == 405
    assert bi_client.post(reverse("performance:figures-template")).status_code == 405
    assert bi_client.post(LIST_URL).status_code == 405
    assert not FigureOfRecord.objects.exists()


# --- templates --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "columns", "file_name"),
    [
        ("performance:figures-template", FIGURE_COLUMNS, "figures-of-record-template.csv"),
        ("performance:benchmarks-template", BENCHMARK_COLUMNS, "benchmarks-template.csv"),
    ],
)
def test_the_templates_have_the_header_and_two_example_rows_that_import_clean(
    bi_client, world, name, columns, file_name
):
    response = bi_client.get(reverse(name))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert file_name in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == columns
    assert len(rows) == 3
    assert {row[0] for row in rows[1:]} <= set(CATALOGUE)
    # Last month's values (or the last financial year's benchmarks): the example imports clean.
    check = figures_import(text=response.content.decode(), actor=None, today=TODAY)
    assert check.new == 2


# --- the figures held ------------------------------------------------------------------------------------
def _hold(months: int) -> None:
    lines = []
    for n in range(months):
        start = datetime.date(2023 + (n // 12), n % 12 + 1, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        for scope in ("authority", "a1", "b1"):
            lines.append(figure(period_start=start.isoformat(), period_end=end.isoformat(), scope=scope, value=str(n)))
        lines.append(
            figure(
                indicator="assessments_in_45_days_pct",
                period_start=start.isoformat(),
                period_end=end.isoformat(),
                value="80",
                numerator="8",
                denominator="10",
            )
        )
    figures_import(text=csv_text(lines), actor=None, today=TODAY)


def test_the_list_filters_by_indicator_and_scope_with_choices_from_the_data(bi_client, world):
    _hold(3)
    page = page_text(bi_client.get(LIST_URL))
    assert "12 figures" in page
    indicator_options = re.findall(r'<option value="([^"]*)"', page.split('name="scope"')[0])
    assert indicator_options == ["", "referrals", "assessments_in_45_days_pct"]
    scope_options = re.findall(r'<option value="([^"]*)"', page.split('name="scope"')[1])
    assert set(scope_options) == {"", "authority", "team:a1", "team:b1"}

    page = page_text(bi_client.get(LIST_URL, {"indicator": "referrals", "scope": "team:a1"}))
    assert "3 figures" in page
    assert page.count(world.team_a1.name) >= 3
    # An unknown choice is ignored, not an error; the other filter still applies.
    assert "12 figures" in page_text(bi_client.get(LIST_URL, {"indicator": "nope"}))
    assert "6 figures" in page_text(bi_client.get(LIST_URL, {"indicator": "nope", "scope": "authority"}))


def test_the_list_is_paginated_and_its_query_count_does_not_grow(bi_client, world, django_assert_max_num_queries):
    _hold(2)
    # Session and user (2), the person's roles and duties (2), scopes: areas and teams (2), the
    # filter choices: scopes held and indicators held (2), the count (1), the page of figures
    # with their indicators (1).
    with django_assert_max_num_queries(10) as few:
        bi_client.get(LIST_URL)
    _hold(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bi_client.get(LIST_URL)
    assert "Page 1 of 3" in page_text(response)
    assert "Page 2 of 3" in page_text(bi_client.get(LIST_URL, {"page": "2"}))
