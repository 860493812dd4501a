"""The caseload import, through ``manage.py import_caseload`` and the service behind it.

Files are written to disk as an operator would have them; every refusal is checked by the exact
``row N, column NAME: problem`` line a person reads (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from organisation.caseload import COLUMNS, CaseloadRefused, caseload_check, caseload_import
from organisation.models import CaseFile, CaseType

HistoricalCaseFile = CaseFile.history.model
REQUIRED = ["case_reference", "child_initials", "birth_year", "case_type", "team_code", "opened_on"]


def line(**cells: str) -> dict[str, str]:
    """A row for a new case in team a1 worked by practitioner_own, with overrides."""
    row = {
        "case_reference": "NEW-1",
        "child_initials": "CD",
        "birth_year": "2016",
        "unborn": "no",
        "case_type": "child_in_need",
        "legal_status": "",
        "team_code": "a1",
        "practitioner_email": "prac.own@example.test",
        "chair_email": "",
        "family_reference": "",
        "restricted": "no",
        "opened_on": "2024-02-01",
        "closed_on": "",
    }
    row.update(cells)
    return row


def line_for(case: CaseFile, **cells: str) -> dict[str, str]:
    """The row that describes ``case`` exactly as it is stored, with overrides."""
    row = {
        "case_reference": case.case_reference,
        "child_initials": case.child_initials,
        "birth_year": str(case.birth_year),
        "unborn": "yes" if case.unborn else "no",
        "case_type": case.case_type,
        "legal_status": case.legal_status,
        "team_code": case.team.code,
        "practitioner_email": case.practitioner.email if case.practitioner else "",
        "chair_email": case.chair.email if case.chair else "",
        "family_reference": case.family_reference,
        "restricted": "yes" if case.restricted else "no",
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else "",
    }
    row.update(cells)
    return row


def csv_text(rows: list[dict[str, str]], columns: list[str] | tuple[str, ...] = COLUMNS, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return out.getvalue()


def write(tmp_path: Path, text: str, *, bom: bool = False, name: str = "caseload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_caseload", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refuse(path: Path, *args: str) -> tuple[list[str], str]:
    """Run the command expecting a refusal: the stderr lines and the final error."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_caseload", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(info.value)


# --- a clean file -------------------------------------------------------------------------------
def test_clean_file_creates_case_files_with_every_field_stored(world, tmp_path):
    rows = [
        line(
            case_reference="NEW-1",
            child_initials="c.d.",
            unborn="no",
            legal_status="Section 20, voluntary",
            chair_email="CHAIR@example.test",
            family_reference="FAM-9",
            restricted="yes",
            opened_on="01/02/2024",
            closed_on="2024-06-30",
        ),
        line(case_reference="NEW-2", child_initials="EF", birth_year="2010", case_type="care_leaver", team_code="B1"),
        line(case_reference="NEW-3", child_initials="GH", case_type="Child_Protection", team_code="eh1"),
    ]
    before = CaseFile.objects.count()

    out, err = run(write(tmp_path, csv_text(rows)))

    assert out.strip() == "Created 3, updated 0, unchanged 0, warned 0, flagged 0 (not in the latest extract)."
    assert err == ""
    assert CaseFile.objects.count() == before + 3
    one = CaseFile.objects.get(case_reference="NEW-1")
    assert one.child_initials == "C.D."
    assert one.birth_year == 2016
    assert one.unborn is False
    assert one.case_type == CaseType.CHILD_IN_NEED
    assert one.legal_status == "Section 20, voluntary"
    assert one.team == world.team_a1
    assert one.practitioner == world.people["practitioner_own"]
    assert one.chair == world.people["conference_chair"]
    assert one.family_reference == "FAM-9"
    assert one.restricted is True
    assert one.opened_on == datetime.date(2024, 2, 1)
    assert one.closed_on == datetime.date(2024, 6, 30)
    assert one.not_in_latest_extract is False
    assert CaseFile.objects.get(case_reference="NEW-2").team == world.team_b1
    assert CaseFile.objects.get(case_reference="NEW-3").case_type == CaseType.CHILD_PROTECTION
    # Each new case file has its creation in its history.
    assert list(one.history.values_list("history_type", flat=True)) == ["+"]


@pytest.mark.parametrize(("bom", "newline"), [(False, "\n"), (True, "\n"), (False, "\r\n"), (True, "\r\n")])
def test_utf8_with_or_without_bom_and_any_line_ending_imports(world, tmp_path, bom, newline):
    rows = [line(case_reference="NEW-1", child_initials="ÉO"), line(case_reference="NEW-2")]
    text = csv_text(rows, newline=newline) + newline  # a trailing blank line, as spreadsheets leave

    out, _ = run(write(tmp_path, text, bom=bom))

    assert out.startswith("Created 2, updated 0,")
    assert CaseFile.objects.get(case_reference="NEW-1").child_initials == "ÉO"
    assert CaseFile.objects.filter(case_reference="NEW-2").exists()


def test_bom_before_a_quoted_header_is_still_read_as_the_header(world):
    # What a file saved by some tools looks like once decoded without stripping the mark.
    text = "\ufeff" + ",".join(f'"{name}"' for name in COLUMNS) + "\n" + csv_text([line()]).split("\n", 1)[1]

    result = caseload_import(text=text, full_extract=False, actor=None)

    assert result.created == 1


def test_optional_columns_can_be_absent_entirely(world, tmp_path):
    text = csv_text([line(case_reference="NEW-1")], columns=REQUIRED)

    out, err = run(write(tmp_path, text))

    assert out.startswith("Created 1, updated 0,")
    assert (
        "warning: row 1, column practitioner_email: the column is absent: new case files come in unallocated; "
        "existing ones keep their practitioner" in err
    )
    case = CaseFile.objects.get(case_reference="NEW-1")
    assert case.practitioner is None
    assert case.chair is None
    assert case.restricted is False
    assert case.closed_on is None
    assert case.legal_status == ""


def test_quoted_cells_trailing_blank_rows_and_padded_rows_are_accepted(world, tmp_path):
    text = csv_text([line(legal_status='Interim care order, "ICO"')])
    # Spreadsheet exports: a padded row of empty cells and blank lines at the end.
    text += ",,,,,,,,,,,,\n\n\n"

    out, _ = run(write(tmp_path, text))

    assert out.startswith("Created 1, updated 0,")
    assert CaseFile.objects.get(case_reference="NEW-1").legal_status == 'Interim care order, "ICO"'


def test_an_unborn_baby_may_have_next_years_birth_year(world, tmp_path):
    next_year = timezone.localdate().year + 1

    run(write(tmp_path, csv_text([line(birth_year=str(next_year), unborn="yes")])))

    case = CaseFile.objects.get(case_reference="NEW-1")
    assert (case.birth_year, case.unborn) == (next_year, True)


# --- refusals: each kind, exact text ------------------------------------------------------------
NEXT_YEAR = timezone.localdate().year + 1
VALID_TYPES = "care_leaver, child_in_care, child_in_need, child_protection, early_help"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"team_code": "zz9"}, "row 2, column team_code: 'zz9' is not a team in the app"),
        ({"case_type": "adoption"}, f"row 2, column case_type: 'adoption' is not one of {VALID_TYPES}"),
        (
            {"opened_on": "last week"},
            "row 2, column opened_on: 'last week' is not a date in the form YYYY-MM-DD or DD/MM/YYYY",
        ),
        ({"opened_on": "2023-02-29"}, "row 2, column opened_on: '2023-02-29' is not a real date"),
        ({"closed_on": "31/04/2024"}, "row 2, column closed_on: '31/04/2024' is not a real date"),
        (
            {"opened_on": "2024-03-01", "closed_on": "2024-02-01"},
            "row 2, column closed_on: 01/02/2024 is before the case was opened (01/03/2024)",
        ),
        (
            {"birth_year": str(NEXT_YEAR)},
            f"row 2, column birth_year: {NEXT_YEAR} is in the future (set unborn to yes for an unborn baby)",
        ),
        ({"birth_year": "16"}, "row 2, column birth_year: '16' is not a four-digit year"),
        ({"case_reference": ""}, "row 2, column case_reference: is missing"),
        ({"team_code": ""}, "row 2, column team_code: is missing"),
        ({"restricted": "maybe"}, "row 2, column restricted: 'maybe' must be yes or no"),
        ({"legal_status": "=1+1"}, "row 2, column legal_status: starts with '=': formulas are not accepted; remove it"),
        (
            {"family_reference": "+44 1234"},
            "row 2, column family_reference: starts with '+': formulas are not accepted; remove it",
        ),
        (
            {"legal_status": "-2+3"},
            "row 2, column legal_status: starts with '-': formulas are not accepted; remove it",
        ),
        (
            {"practitioner_email": "@SUM(A1)"},
            "row 2, column practitioner_email: starts with '@': formulas are not accepted; remove it",
        ),
        (
            {"family_reference": ' =HYPERLINK("http://x.test")'},
            "row 2, column family_reference: starts with '=': formulas are not accepted; remove it",
        ),
        (
            {"child_initials": "John"},
            "row 2, column child_initials: use the child's initials only (up to 4 letters), never a name",
        ),
        (
            {"child_initials": "Jo"},
            "row 2, column child_initials: use the child's initials only (up to 4 letters), never a name",
        ),
        (
            {"child_initials": "JONATHAN"},
            "row 2, column child_initials: use the child's initials only (up to 4 letters), never a name",
        ),
    ],
)
def test_each_problem_refuses_the_file_with_its_row_and_column(world, tmp_path, cells, expected):
    before = CaseFile.objects.count()

    lines, error = refuse(write(tmp_path, csv_text([line(**cells)])))

    assert lines == [expected]
    assert error == "Refused: 1 problem; nothing was imported."
    assert CaseFile.objects.count() == before


def test_a_reference_twice_in_the_file_is_refused_whatever_its_case(world, tmp_path):
    rows = [line(case_reference="NEW-1"), line(case_reference="NEW-2"), line(case_reference="new-1")]

    lines, error = refuse(write(tmp_path, csv_text(rows)))

    assert lines == ["row 4, column case_reference: 'new-1' appears again (first on row 2)"]
    assert error == "Refused: 1 problem; nothing was imported."


def test_a_missing_required_column_is_a_header_problem(world, tmp_path):
    columns = [name for name in COLUMNS if name != "team_code"]

    lines, error = refuse(write(tmp_path, csv_text([line()], columns=columns)))

    assert lines == ["row 1, column team_code: required column is missing"]
    assert error == "Refused: 1 problem; nothing was imported."


def test_a_row_with_more_cells_than_the_header_is_refused(world, tmp_path):
    text = csv_text([]) + "NEW-1,CD,2016,no,child_in_need,Section 20, voluntary,a1,,,,no,2024-02-01,\n"

    lines, _ = refuse(write(tmp_path, text))

    assert (
        "row 2, column (row): has 14 cells but the header has 13 columns; put double quotes around any cell that "
        "contains a comma"
    ) in lines


def test_a_header_with_no_rows_is_refused_and_flags_nothing(world, tmp_path):
    lines, error = refuse(write(tmp_path, csv_text([])), "--full-extract")

    assert lines == ["row 2, column (row): the file has no case rows"]
    assert error == "Refused: 1 problem; nothing was imported."
    assert not CaseFile.objects.filter(not_in_latest_extract=True).exists()


def test_every_problem_in_the_file_is_listed_in_row_order(world, tmp_path):
    rows = [
        line(case_reference="NEW-1", team_code="zz9"),
        line(case_reference="NEW-2"),
        line(case_reference="", case_type="adoption"),
        line(case_reference="NEW-4", opened_on="2024-02-30", legal_status="@cmd"),
    ]

    lines, error = refuse(write(tmp_path, csv_text(rows)))

    assert lines == [
        "row 2, column team_code: 'zz9' is not a team in the app",
        "row 4, column case_reference: is missing",
        f"row 4, column case_type: 'adoption' is not one of {VALID_TYPES}",
        "row 5, column legal_status: starts with '@': formulas are not accepted; remove it",
        "row 5, column opened_on: '2024-02-30' is not a real date",
    ]
    assert error == "Refused: 5 problems; nothing was imported."


def test_a_refused_file_writes_nothing_not_even_its_good_rows(world, tmp_path):
    case_a = world.case_a
    history_before = HistoricalCaseFile.objects.count()
    count_before = CaseFile.objects.count()
    rows = [
        line_for(case_a, team_code="b1", legal_status="Moved"),  # a good update
        line(case_reference="NEW-1"),  # a good new case
        line(case_reference="NEW-2", team_code="zz9"),  # the one problem
    ]

    refuse(write(tmp_path, csv_text(rows)), "--full-extract")

    assert CaseFile.objects.count() == count_before
    case_a.refresh_from_db()
    assert case_a.team == world.team_a1
    assert case_a.legal_status != "Moved"
    assert not CaseFile.objects.filter(not_in_latest_extract=True).exists()
    assert HistoricalCaseFile.objects.count() == history_before


def test_a_missing_file_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.csv: No such file or directory"):
        call_command("import_caseload", str(tmp_path / "nowhere.csv"), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_file_that_is_not_utf8_is_a_clear_error(world, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text([line(child_initials="ÉO")]).encode("latin-1"))
    before = CaseFile.objects.count()

    with pytest.raises(CommandError, match="The file is not UTF-8 text"):
        call_command("import_caseload", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert CaseFile.objects.count() == before


# --- warnings -----------------------------------------------------------------------------------
def test_unknown_blank_or_departed_practitioner_is_a_warning_and_the_case_comes_in_unallocated(world, tmp_path):
    departed = world.people["practitioner_other"]
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    rows = [
        line(case_reference="NEW-1", practitioner_email="nobody@example.test"),
        line(case_reference="NEW-2", practitioner_email=""),
        line(case_reference="NEW-3", practitioner_email="PRAC.OWN@example.test"),
        line(case_reference="NEW-4", practitioner_email="prac.other@example.test"),
    ]

    out, err = run(write(tmp_path, csv_text(rows)))

    assert out.strip() == "Created 4, updated 0, unchanged 0, warned 3, flagged 0 (not in the latest extract)."
    assert err.splitlines() == [
        "warning: row 2, column practitioner_email: no active person with this email: the case comes in with no "
        "practitioner",
        "warning: row 3, column practitioner_email: blank: the case comes in unallocated",
        "warning: row 5, column practitioner_email: no active person with this email: the case comes in with no "
        "practitioner",
    ]
    practitioners = dict(
        CaseFile.objects.filter(case_reference__startswith="NEW-").values_list("case_reference", "practitioner")
    )
    assert practitioners == {
        "NEW-1": None,
        "NEW-2": None,
        "NEW-3": world.people["practitioner_own"].pk,
        "NEW-4": None,
    }


# --- re-import ----------------------------------------------------------------------------------
def test_reimport_updates_in_place_and_records_history_only_for_the_changed_case(world, tmp_path):
    case_a, case_b = world.case_a, world.case_b
    count_before = CaseFile.objects.count()
    a_history, b_history = case_a.history.count(), case_b.history.count()
    rows = [
        # CASE-A moves to team B1 with a new legal status; written in lower case as some systems do.
        line_for(case_a, case_reference="case-a", team_code="b1", legal_status="Child protection plan"),
        line_for(case_b),  # exactly as stored
    ]

    out, _ = run(write(tmp_path, csv_text(rows)))

    assert out.strip() == "Created 0, updated 1, unchanged 1, warned 0, flagged 0 (not in the latest extract)."
    assert CaseFile.objects.count() == count_before
    case_a.refresh_from_db()
    assert case_a.case_reference == "CASE-A"
    assert case_a.team == world.team_b1
    assert case_a.legal_status == "Child protection plan"
    assert case_a.practitioner == world.people["practitioner_own"]
    assert case_a.history.count() == a_history + 1
    assert case_a.history.first().team_id == world.team_b1.pk
    assert case_b.history.count() == b_history


def test_importing_the_same_file_again_changes_nothing_and_writes_no_history(world, tmp_path):
    path = write(tmp_path, csv_text([line(case_reference="NEW-1"), line_for(world.case_a)]))
    run(path)
    history_before = HistoricalCaseFile.objects.count()

    out, _ = run(path)

    assert out.strip() == "Created 0, updated 0, unchanged 2, warned 0, flagged 0 (not in the latest extract)."
    assert HistoricalCaseFile.objects.count() == history_before


def test_a_file_without_the_restricted_or_practitioner_columns_leaves_them_alone(world, tmp_path):
    case_r = world.case_restricted
    columns = [*REQUIRED, "legal_status"]

    out, _ = run(write(tmp_path, csv_text([line_for(case_r, legal_status="Updated")], columns=columns)))

    assert out.startswith("Created 0, updated 1,")
    case_r.refresh_from_db()
    assert case_r.legal_status == "Updated"
    assert case_r.restricted is True
    assert case_r.practitioner == world.people["practitioner_own"]


def test_lifting_a_restriction_is_warned(world, tmp_path):
    out, err = run(write(tmp_path, csv_text([line_for(world.case_restricted, restricted="no")])))

    assert "warning: row 2, column restricted: the case file is restricted now; this file lifts the restriction" in err
    assert "warned 1" in out


def test_a_new_opening_date_after_the_stored_closing_date_is_refused(world, tmp_path):
    case_a = world.case_a
    case_a.closed_on = datetime.date(2024, 3, 1)
    case_a.save(update_fields=["closed_on"])
    columns = [*REQUIRED, "practitioner_email"]

    lines, _ = refuse(write(tmp_path, csv_text([line_for(case_a, opened_on="2024-04-01")], columns=columns)))

    assert lines == [
        "row 2, column opened_on: 01/04/2024 is after the case was closed (01/03/2024); add the closed_on column"
    ]
    case_a.refresh_from_db()
    assert case_a.opened_on == datetime.date(2024, 1, 10)


# --- full extract -------------------------------------------------------------------------------
def test_full_extract_flags_missing_open_cases_and_closes_nothing(world, tmp_path):
    case_eh = world.case_eh
    case_eh.closed_on = datetime.date(2024, 5, 1)
    case_eh.save(update_fields=["closed_on"])

    out, _ = run(write(tmp_path, csv_text([line_for(world.case_a)])), "--full-extract")

    assert out.strip() == "Created 0, updated 0, unchanged 1, warned 0, flagged 2 (not in the latest extract)."
    flags = dict(CaseFile.objects.values_list("case_reference", "not_in_latest_extract"))
    assert flags == {"CASE-A": False, "CASE-B": True, "CASE-R": True, "CASE-EH": False}
    closed = dict(CaseFile.objects.values_list("case_reference", "closed_on"))
    assert closed == {"CASE-A": None, "CASE-B": None, "CASE-R": None, "CASE-EH": datetime.date(2024, 5, 1)}


def test_a_case_back_in_the_next_full_extract_is_unflagged(world, tmp_path):
    run(write(tmp_path, csv_text([line_for(world.case_a)])), "--full-extract")

    out, _ = run(
        write(tmp_path, csv_text([line_for(world.case_a), line_for(world.case_b)]), name="next.csv"), "--full-extract"
    )

    # CASE-B is unflagged (an update); CASE-R and CASE-EH stay flagged and are not counted again.
    assert out.strip() == "Created 0, updated 1, unchanged 1, warned 0, flagged 0 (not in the latest extract)."
    flags = dict(CaseFile.objects.values_list("case_reference", "not_in_latest_extract"))
    assert flags == {"CASE-A": False, "CASE-B": False, "CASE-R": True, "CASE-EH": True}


def test_without_full_extract_missing_cases_are_not_flagged(world, tmp_path):
    out, _ = run(write(tmp_path, csv_text([line_for(world.case_a)])))

    assert out.strip().endswith("flagged 0 (not in the latest extract).")
    assert not CaseFile.objects.filter(not_in_latest_extract=True).exists()


# --- the service, as the page's job calls it ----------------------------------------------------
def test_check_reports_what_would_happen_and_writes_nothing(world):
    text = csv_text([line(case_reference="NEW-1"), line_for(world.case_a, team_code="a2"), line_for(world.case_b)])
    before = CaseFile.objects.count()

    check = caseload_check(text=text, full_extract=True)

    assert check.ok
    assert (check.to_create, check.to_update, check.unchanged, check.to_flag) == (1, 1, 1, 2)
    assert CaseFile.objects.count() == before
    world.case_a.refresh_from_db()
    assert world.case_a.team == world.team_a1
    assert not CaseFile.objects.filter(not_in_latest_extract=True).exists()


def test_import_records_who_made_each_change(world):
    qa = world.people["qa_officer"]

    caseload_import(
        text=csv_text([line(case_reference="NEW-1"), line_for(world.case_a, team_code="a2")]),
        full_extract=False,
        actor=qa,
    )

    assert CaseFile.objects.get(case_reference="NEW-1").history.first().history_user == qa
    assert world.case_a.history.first().history_user == qa


def test_refusal_carries_every_problem(world):
    with pytest.raises(CaseloadRefused) as info:
        caseload_import(text=csv_text([line(team_code="zz9")]), full_extract=False, actor=None)

    assert [str(p) for p in info.value.check.problems] == ["row 2, column team_code: 'zz9' is not a team in the app"]
