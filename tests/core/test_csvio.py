"""CSV plumbing: dates, yes/no, formula cells on the way in and out, decoding, row numbers."""

from __future__ import annotations

import datetime
import io
import re

import pytest

from core.csvio import (
    Problem,
    UnreadableFile,
    decode_upload,
    parse_date,
    parse_yes_no,
    read_csv,
    safe_cell,
    write_csv,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", datetime.date(2024, 2, 29)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("29-02-2024", datetime.date(2024, 2, 29)),
        ("1/3/2024", datetime.date(2024, 3, 1)),
    ],
)
def test_parse_date_reads_real_dates_day_first(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2023-02-29", "31/04/2024", "2024-13-01", "00/01/2024"])
def test_parse_date_names_an_impossible_date(value):
    with pytest.raises(ValueError, match=re.escape(f"'{value}' is not a real date")) as info:
        parse_date(value)
    assert str(info.value) == f"'{value}' is not a real date"


@pytest.mark.parametrize("value", ["soon", "2024/02/01", "1/3/24", "20240201", "March 2024"])
def test_parse_date_explains_the_forms_it_takes(value):
    with pytest.raises(ValueError, match="is not a date in the form") as info:
        parse_date(value)
    assert str(info.value) == f"'{value}' is not a date in the form YYYY-MM-DD or DD/MM/YYYY"


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("Y", True), ("TRUE", True), ("1", True)])
def test_parse_yes_no_reads_yes(value, expected):
    assert parse_yes_no(value) is expected


@pytest.mark.parametrize("value", ["no", "N", "False", "0", "", "  "])
def test_parse_yes_no_reads_no_and_blank_as_no(value):
    assert parse_yes_no(value) is False


def test_parse_yes_no_refuses_anything_else():
    with pytest.raises(ValueError, match="must be yes or no") as info:
        parse_yes_no("maybe")
    assert str(info.value) == "'maybe' must be yes or no"


def test_formula_cells_are_problems_in_text_columns_only():
    text = "name,count\n=1+1,1\n+SUM(A1),2\n-2+3,3\n@cmd,4\n =HYPERLINK(x),5\n\tTAB,6\nplain,-7\n"

    parsed = read_csv(text, required=["name", "count"], text_columns=["name"])

    assert [str(p) for p in parsed.problems] == [
        "row 2, column name: starts with '=': formulas are not accepted; remove it",
        "row 3, column name: starts with '+': formulas are not accepted; remove it",
        "row 4, column name: starts with '-': formulas are not accepted; remove it",
        "row 5, column name: starts with '@': formulas are not accepted; remove it",
        "row 6, column name: starts with '=': formulas are not accepted; remove it",
        "row 7, column name: starts with '\\t': formulas are not accepted; remove it",
    ]


def test_safe_cell_neutralises_formulas_on_export():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell(" =1+1") == "' =1+1"
    assert safe_cell("A.B.") == "A.B."
    assert safe_cell(None) == ""
    assert safe_cell(2016) == "2016"


def test_write_csv_exports_formulas_as_text():
    out = io.StringIO()

    write_csv(out, ["initials", "note"], [["AB", '=HYPERLINK("http://x.test")']])

    assert out.getvalue().splitlines() == ["initials,note", 'AB,"\'=HYPERLINK(""http://x.test"")"']


def test_decode_upload_strips_the_byte_order_mark():
    assert decode_upload(b"\xef\xbb\xbfcase_reference\r\n") == "case_reference\r\n"
    assert decode_upload("café".encode()) == "café"


@pytest.mark.parametrize("data", ["café".encode("cp1252"), "a,b\n".encode("utf-16"), "a,b\n".encode("utf-16-le")])
def test_decode_upload_refuses_text_that_is_not_utf8(data):
    with pytest.raises(UnreadableFile, match="The file is not UTF-8 text"):
        decode_upload(data)


def test_read_csv_finds_a_quoted_header_behind_a_byte_order_mark():
    parsed = read_csv('\ufeff"Case Reference","team-code"\r\nX1,a1\r\n', required=["case_reference", "team_code"])

    assert parsed.problems == []
    assert parsed.rows == [(2, {"case_reference": "X1", "team_code": "a1"})]


def test_read_csv_numbers_rows_as_a_spreadsheet_shows_them():
    text = 'ref,note\r\nA,"two\r\nlines"\r\n\r\nB,x\r\n,\r\n\r\n'

    parsed = read_csv(text, required=["ref"], optional=["note"])

    # The quoted line break stays in one row; a blank line still takes a row number; blank rows
    # at the end are not rows.
    assert parsed.rows == [(2, {"ref": "A", "note": "two\r\nlines"}), (4, {"ref": "B", "note": "x"})]
    assert parsed.problems == []


def test_read_csv_reports_header_problems_on_row_one():
    parsed = read_csv("ref,ref,extra\n1,2,3\n", required=["ref", "team"])

    assert parsed.problems == [
        Problem(1, "ref", "the column appears twice"),
        Problem(1, "team", "required column is missing"),
    ]
    assert parsed.warnings == [Problem(1, "extra", "unknown column, ignored")]


def test_read_csv_refuses_a_row_with_more_cells_than_the_header():
    parsed = read_csv("ref,note\nA,b,c\n", required=["ref"], optional=["note"])

    assert [str(p) for p in parsed.problems] == [
        "row 2, column (row): has 3 cells but the header has 2 columns; put double quotes around any cell that "
        "contains a comma"
    ]


def test_read_csv_of_an_empty_file_says_so():
    assert [str(p) for p in read_csv("", required=["ref"]).problems] == ["row 1, column (header): the file is empty"]
