"""CSV plumbing shared by every import and export.

Imports are checked whole before anything is written: every problem is reported as
``row N, column NAME: problem`` with the header as row 1, so a person can fix the file in one
go. Exports neutralise cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A cell a spreadsheet would treat as a formula (CSV injection). Tab and carriage return too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The visible characters that start a formula. A spreadsheet also runs " =1+1" once the
# leading space is trimmed, and imports trim cells, so they are looked for after whitespace too.
_FORMULA_STARTS = ("=", "+", "-", "@")
BOM = "\ufeff"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True, order=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Problem:
        return cls(row=int(data["row"]), column=str(data["column"]), message=str(data["message"]))


class UnreadableFile(ValueError):
    """The upload is not text we can read at all."""


def decode_upload(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file is not UTF-8 text. In Excel, use 'Save as' and choose 'CSV UTF-8 (comma delimited)'."
        ) from None
    if "\x00" in text:
        # UTF-16 without a byte-order mark decodes as "UTF-8" full of NUL characters, which
        # PostgreSQL cannot store and the csv module cannot read.
        raise UnreadableFile(
            "The file is not UTF-8 text (it contains NUL characters, as UTF-16 files do). In Excel, use "
            "'Save as' and choose 'CSV UTF-8 (comma delimited)'."
        )
    return text


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.lstrip(BOM).strip().lower())


def looks_like_formula(cell: str) -> bool:
    """True for a cell a spreadsheet would run as a formula, before or after trimming."""
    return cell.startswith(FORMULA_PREFIXES) or cell.lstrip().startswith(_FORMULA_STARTS)


@dataclass
class ParsedCsv:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[Problem]
    warnings: list[Problem]


def read_csv(
    text: str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    text_columns: Iterable[str] | None = None,
) -> ParsedCsv:
    """Read a CSV into rows keyed by normalised column name, collecting every problem.

    ``text_columns`` (default: every known column) are checked for formula prefixes.
    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    # A byte-order mark left on the text (a caller that did not use decode_upload) would make
    # the csv module read a quoted first header cell as '\ufeff"case_reference"'.
    reader = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""))
    try:
        raw_header = next(reader)
    except StopIteration:
        return ParsedCsv([], [], [Problem(1, "(header)", "the file is empty")], [])
    except csv.Error as exc:
        return ParsedCsv([], [], [Problem(1, "(header)", f"cannot be read as CSV ({exc})")], [])
    header = [normalise_header(h) for h in raw_header]
    known = set(required) | set(optional)
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            problems.append(Problem(1, name, "the column appears twice"))
        seen.add(name)
        if name and name not in known:
            warnings.append(Problem(1, name, "unknown column, ignored"))
    for name in required:
        if name not in seen:
            problems.append(Problem(1, name, "required column is missing"))
    checked = set(known if text_columns is None else text_columns)
    rows: list[tuple[int, dict[str, str]]] = []
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines at the end of a spreadsheet export
            # More cells than the header means the cells are shifted, usually by a comma in a cell
            # without quotes: every later cell would land in the wrong column.
            if len(cells) > len(header):
                problems.append(
                    Problem(
                        row_number,
                        "(row)",
                        f"has {len(cells)} cells but the header has {len(header)} columns; "
                        "put double quotes around any cell that contains a comma",
                    )
                )
            row = {}
            for index, name in enumerate(header):
                if name not in known:
                    continue
                raw = cells[index] if index < len(cells) else ""
                if name in checked and looks_like_formula(raw):
                    first = raw.lstrip()[:1] if raw.lstrip().startswith(_FORMULA_STARTS) else raw[0]
                    problems.append(
                        Problem(row_number, name, f"starts with {first!r}: formulas are not accepted; remove it")
                    )
                row[name] = raw.strip()
            rows.append((row_number, row))
    except csv.Error as exc:
        problems.append(Problem(row_number + 1, "(row)", f"cannot be read as CSV ({exc})"))
    return ParsedCsv(header, rows, problems, warnings)


def parse_date(value: str) -> datetime.date:
    """A date written YYYY-MM-DD or DD/MM/YYYY. Raises ValueError with a message for people."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/-]\d{1,2}[/-]\d{4}", value):
        raise ValueError(f"{value!r} is not a real date")
    raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD or DD/MM/YYYY")


def parse_yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f"{value!r} must be yes or no")


def safe_cell(value: object) -> str:
    """A cell for export that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def write_csv(out: io.TextIOBase, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
