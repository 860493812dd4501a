"""Reading Annex A workbooks: sheets found by name and headers by tolerant names and aliases, the
common date formats, only what the estimates use kept, and unreadable rows reported by sheet, row
and column while the rest are read."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

import openpyxl
import pytest

from performance.services.annex_a import (
    _ALIASES,
    COMMON_COLUMNS,
    LISTS,
    AnnexAUnreadable,
    _norm,
    annex_a_read,
    list_number_of_sheet,
)

D = datetime.date
TODAY = D(2026, 11, 2)


def xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A small hand-made workbook (openpyxl), one sheet per name."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("List 1", 1),
        ("list1", 1),
        ("L1 Contacts", 1),
        ("List 3 - Referrals", 3),
        ("LIST_4_Assessments", 4),
        ("Annex A List 8", 8),
        ("Referrals", 3),
        ("Early help assessments", 2),
        ("S47 enquiries", 5),
        ("Children in need", 6),
        ("CP plans", 7),
        ("Children looked after", 8),
        ("Care leavers", 9),
        ("List 10 - Adoption", None),
        ("Notes", None),
        ("Summary", None),
    ],
)
def test_sheets_are_found_by_name_tolerantly(name, number):
    assert list_number_of_sheet(name) == number


def test_no_two_columns_of_a_list_share_an_alias():
    for number, columns in LISTS.items():
        owner: dict[str, str] = {}
        for column in (*COMMON_COLUMNS, *columns):
            for alias in column.aliases:
                assert owner.setdefault(_norm(alias), column.name) == column.name, f"list {number}: {alias!r}"
        assert set(_ALIASES[number]) == (set(owner) if columns else set(_ALIASES[number]))


def test_headers_match_whatever_the_case_spacing_punctuation_or_alias():
    data = xlsx(
        {
            "list3": [
                ["  CHILD  UNIQUE-ID ", "Sex", "Referral Date.", "Referral NFA?", "allocated_team"],
                ["C1", "F", D(2026, 3, 2), "Y", "A1"],
            ],
            "L4 Assessments": [
                ["ID", "Gender", "Continuous assessment start date", "Assessment Authorisation Date"],
                ["C1", "M", D(2026, 3, 3), D(2026, 4, 1)],
            ],
            "List 8": [
                ["Child ID", "Ethnicity", "CLA start date", "Date ceased to be looked after", "Category of need"],
                ["C2", "WBRI", D(2025, 1, 5), None, "N1"],
            ],
        }
    )
    read = annex_a_read(data, today=TODAY)
    assert read.problems == []
    referral = read.lists[3].events[("C1", D(2026, 3, 2))]
    assert referral.codes == {"nfa": True, "team": "A1"}
    assessment = read.lists[4].events[("C1", D(2026, 3, 3))]
    assert assessment.end_date == D(2026, 4, 1)
    looked_after = read.lists[8].events[("C2", D(2025, 1, 5))]
    assert looked_after.end_date is None
    assert looked_after.codes == {"category_of_need": "N1"}
    # Least data: sex, gender and ethnicity are recognised as columns only to be left out.
    assert read.lists[3].not_kept == ["Sex"]
    assert read.lists[4].not_kept == ["Gender"]
    assert read.lists[8].not_kept == ["Ethnicity"]


def test_only_flags_and_short_codes_are_kept_never_free_text():
    data = xlsx(
        {
            "List 3": [
                ["Child ID", "Date of referral", "Referral outcome"],
                ["A", D(2026, 3, 2), "No further action"],
                ["B", D(2026, 3, 3), "Assessment by FD team"],
            ],
            "List 6": [
                ["Child ID", "CIN start date", "Case closure date", "Reason for closure", "CIN plan end reason"],
                ["C", D(2026, 1, 5), D(2026, 3, 1), "rc9", None],
                [
                    "D",
                    D(2026, 1, 6),
                    D(2026, 3, 2),
                    "Closed as the family moved to J's aunt",
                    "Step down to early help",
                ],
            ],
        }
    )
    read = annex_a_read(data, today=TODAY)
    assert read.lists[3].events[("A", D(2026, 3, 2))].codes == {"nfa": True}
    assert read.lists[3].events[("B", D(2026, 3, 3))].codes == {"nfa": False}
    assert read.lists[6].events[("C", D(2026, 1, 5))].codes == {"closure_reason": "RC9"}
    # Text where a code belongs is left out (and said so); the rest of the row is read.
    assert read.lists[6].events[("D", D(2026, 1, 6))].codes == {"step_down": True}
    assert read.problems == [
        {
            "sheet": "List 6",
            "row": 3,
            "column": "D (Reason for closure)",
            "message": "is not a code such as RC9: left out, the rest of the row was read",
        }
    ]
    assert read.unreadable_rows == 0


def test_dates_in_every_common_format():
    rows = [
        ["Child ID", "Date of referral"],
        ["A", D(2026, 3, 3)],  # a date cell
        ["B", datetime.datetime(2026, 3, 4, 9, 30)],  # a date and time cell
        ["C", "2026-03-05"],
        ["D", "06/03/2026"],
        ["E", "7/3/26"],
        ["F", "8 March 2026"],
        ["G", "9th Mar 2026"],
        ["H", 46091],  # an Excel serial number: 10 March 2026
        ["I", "2026-03-11 00:00:00"],
        ["J", "12-03-2026"],
    ]
    read = annex_a_read(xlsx({"List 3": rows}), today=TODAY)
    assert read.problems == []
    dates = {key[0]: key[1] for key in read.lists[3].events}
    assert dates == {letter: D(2026, 3, day) for letter, day in zip("ABCDEFGHIJ", range(3, 13), strict=True)}


def test_unreadable_rows_are_reported_by_sheet_row_and_column_and_the_rest_are_read():
    rows = [
        ["Child ID", "Date of referral", "Referral NFA"],
        ["A", "31/02/2026", "N"],  # row 2: no such date
        ["", D(2026, 3, 1), "N"],  # row 3: no child
        ["B", D(2026, 3, 2), "maybe"],  # row 4: not Y or N
        ["C", D(2026, 3, 3), "N"],  # row 5: fine
        [None, None, None],  # blank rows are skipped silently
        ["D", D(2027, 1, 1), "Y"],  # row 7: after today
        ["C", D(2026, 3, 3), "Y"],  # row 8: the same child and date again
        ["E", D(2026, 3, 4), "y"],  # row 9: fine
    ]
    assessments = [
        ["Title row of an export"],
        ["Child ID", "Assessment start date", "Date assessment authorised"],
        ["A", D(2026, 3, 10), D(2026, 3, 9)],  # row 3 of the sheet: authorised before it started
        ["B", D(2026, 3, 10), D(2026, 3, 20)],
    ]
    read = annex_a_read(xlsx({"List 3 - Referrals": rows, "List 4": assessments}), today=TODAY)
    found = {(p["sheet"], p["row"], p["column"]) for p in read.problems}
    assert found == {
        ("List 3 - Referrals", 2, "B (Date of referral)"),
        ("List 3 - Referrals", 3, "A (Child ID)"),
        ("List 3 - Referrals", 4, "C (Referral NFA)"),
        ("List 3 - Referrals", 7, "B (Date of referral)"),
        ("List 3 - Referrals", 8, "B (Date of referral)"),
        ("List 4", 3, "C (Date assessment authorised)"),
    }
    messages = {p["row"]: p["message"] for p in read.problems if p["sheet"] != "List 4"}
    assert "is not a date we can read" in messages[2]
    assert messages[3] == "is blank"
    assert messages[4] == "'maybe' is not Y or N"
    assert messages[7] == "01/01/2027 is after today"
    assert "as row 5: row 5 was kept" in messages[8]
    assert sorted(read.lists[3].events) == [("C", D(2026, 3, 3)), ("E", D(2026, 3, 4))]
    assert list(read.lists[4].events) == [("B", D(2026, 3, 10))]
    assert read.unreadable_rows == 6


def test_a_sheet_without_the_columns_is_reported_and_other_lists_still_read():
    read = annex_a_read(
        xlsx(
            {
                "List 3": [["Name", "Date"], ["x", D(2026, 3, 1)]],
                "List 1": [["ID", "Contact date"], ["A", D(2026, 3, 1)]],
            }
        ),
        today=TODAY,
    )
    assert read.problems[0]["sheet"] == "List 3"
    assert "no header row with a child ID column and a 'Date of referral' column" in read.problems[0]["message"]
    assert list(read.lists[1].events) == [("A", D(2026, 3, 1))]


def test_list_9_is_recognised_but_nothing_of_it_is_kept():
    read = annex_a_read(xlsx({"List 9 - Care leavers": [["Child ID", "In touch"], ["A", "Yes"]]}), today=TODAY)
    assert read.lists[9].events == {}
    assert read.problems == []


def test_a_file_that_is_not_a_workbook_or_has_no_list_is_refused():
    with pytest.raises(AnnexAUnreadable, match="not an Excel workbook"):
        annex_a_read(b"child_id,date\nA,2026-03-01\n", today=TODAY)
    with pytest.raises(AnnexAUnreadable, match="no sheet we recognise"):
        annex_a_read(xlsx({"Notes": [["Hello"]]}), today=TODAY)


def test_numeric_child_ids_lose_their_decimal_point():
    read = annex_a_read(xlsx({"List 1": [["Child ID", "Date of contact"], [123456, D(2026, 3, 1)]]}), today=TODAY)
    assert list(read.lists[1].events) == [("123456", D(2026, 3, 1))]
