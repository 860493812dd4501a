"""Annex A workbooks (DESIGN section 7): reading, snapshots and the merge of events.

**Reading.** A workbook's sheets are matched to lists 1–9 by name ("List 3", "list3", "L3
Referrals", "Referrals"), and each list's header row (found in the first rows of the sheet) by
tolerant names: case, spaces and punctuation do not matter, and the known aliases of each column
are accepted ("Child ID", "Child Unique ID" or "ID"; "Date of referral" or "Referral date"…).
Dates may be real date cells, text (ISO, dd/mm/yyyy, d/m/yy, "3 March 2026") or Excel serial
numbers. A row that cannot be read is reported by sheet, spreadsheet row (the header is row 1 of a
plain sheet) and column, and the rest still import.

**Least data.** Only the identifiers, dates and codes an estimate uses are kept (LISTS below):
never names, sex, ethnicity or dates of birth. A referral's outcome and the reason a plan ended
are kept only as the yes/no answer a definition needs (no further action? a step down to early
help?), and a code column keeps short codes such as RC9, never text that may describe a family.
The file itself is not kept.

**Snapshots and merge.** A workbook's SHA-256 identifies its snapshot: importing the same file
again changes nothing and says so. Events are merged by (list, child, event date): a newer
workbook updates the codes and end dates of an event it shares with an older one, and adds the
events the older one did not have, so history builds up across overlapping workbooks. An older
workbook imported late never overwrites what a newer one said. Events are matched to case files
by case reference (the child ID when the list has no case-reference column), whatever the case,
and to teams by the team's code or name.

Large workbooks are imported by a job (``job:annex_a_import``): the page keeps the upload in an
``AnnexAUpload`` row until the job has read it, then empties it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Count, Max, Min, QuerySet
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from core import clock
from core.jobs import job_enqueue
from core.models import AccessLog, Job
from core.sweeps import register_sweep
from organisation.models import CaseFile, Team, User

from ..estimates import EstimateRun, estimates_recompute, is_nfa_outcome, is_step_down_at_plan_end
from ..models import AnnexAEvent, AnnexASnapshot, AnnexAUpload

ANNEX_A_JOB = "annex_a_import"
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# A snapshot keeps this many problems; a file with more says how many were left out.
MAX_PROBLEMS_KEPT = 1000
# The header row is looked for in the first rows of a sheet (some exports put a title above it).
HEADER_SEARCH_ROWS = 10
MAX_ID_LENGTH = 40
MAX_TEAM_LENGTH = 100
# Codes such as RC9, E4A or N1 are short; anything longer is text, and not kept.
MAX_CODE_LENGTH = 8
EARLIEST_DATE = datetime.date(1980, 1, 1)
# Rows written or updated per statement.
BATCH_SIZE = 2000
# SQLite allows 999 parameters a statement in older builds: "pk IN (…)" lists and multi-row
# INSERTs stay below it.
MAX_PARAMETERS = 900

LIST_TITLES = {
    1: "Contacts",
    2: "Early help assessments",
    3: "Referrals",
    4: "Assessments",
    5: "Section 47 enquiries and initial conferences",
    6: "Children in need",
    7: "Child protection plans",
    8: "Children looked after",
    9: "Care leavers",
}


class AnnexAUnreadable(Exception):
    """The file is not a workbook we can read, has no list we recognise, or no row we can read."""

    def __init__(self, message: str, *, problems: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


# --- what each list keeps ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A column an estimate uses. ``name`` is where it goes: ``child_id``, ``event_date``,
    ``end_date``, or a key of the event's ``codes``; ``label`` is its first alias."""

    name: str
    # "id", "date", "flag", "count", "team" (a code or name), "code" (a short code such as RC9),
    # "nfa" (an outcome read as whether it was no further action) or "step_down" (a reason a
    # plan ended, read as whether it was a step down to early help).
    kind: str
    aliases: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.aliases[0]


def _norm(text: object) -> str:
    """A header or sheet name with case, spaces and punctuation taken out."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _column(name: str, kind: str, aliases: str) -> Column:
    """A column from its aliases written as one string, separated by "|"."""
    return Column(name, kind, tuple(alias.strip() for alias in aliases.split("|")))


CHILD_ID = _column(
    "child_id",
    "id",
    "Child ID | Child Unique ID | ID | Child identifier | Unique ID | Child unique identifier | Person ID | Client ID",
)
CASE_REFERENCE = _column("case_reference", "id", "Case reference | Case ref | Case number")
TEAM = _column("team", "team", "Allocated team | Team | Team code | Allocated team code | Team name | Responsible team")
CLOSURE_REASON = _column(
    "closure_reason", "code", "Reason for closure | Closure reason | Case closure reason | Reason case closed"
)
END_REASON = _column(
    "step_down",
    "step_down",
    "Reason plan ended | Plan end reason | Reason CP plan ended | CP plan end reason | Reason child protection "
    "plan ended | Reason CIN plan ended | CIN plan end reason | Reason for ending plan",
)

LISTS: dict[int, tuple[Column, ...]] = {
    1: (_column("event_date", "date", "Date of contact | Contact date"),),
    2: (
        _column(
            "event_date",
            "date",
            "Early help assessment start date | EH assessment start date | Assessment start date | Early help "
            "start date | Date of early help assessment",
        ),
        _column(
            "end_date",
            "date",
            "Early help assessment end date | Assessment completion date | Assessment end date | EH assessment "
            "end date | Early help end date | Date early help ended",
        ),
    ),
    3: (
        _column("event_date", "date", "Date of referral | Referral date"),
        _column(
            "nfa",
            "flag",
            "Referral NFA | NFA | No further action | Referral no further action | Referral "
            "resulted in no further action | Referral NFA Y/N",
        ),
        _column("nfa", "nfa", "Referral outcome | Outcome of referral"),
    ),
    4: (
        _column(
            "event_date",
            "date",
            "Assessment start date | Continuous assessment start date | Date assessment started | Start date of "
            "assessment | Assessment started",
        ),
        _column(
            "end_date",
            "date",
            "Date assessment authorised | Assessment authorisation date | Assessment authorised date | Continuous "
            "assessment date of authorisation | Date of authorisation | Authorisation date | Date assessment "
            "authorized | Assessment authorization date",
        ),
        CLOSURE_REASON,
        _column("closure_date", "date", "Case closure date | Date case closed | Closure date"),
    ),
    5: (
        _column(
            "event_date",
            "date",
            "Section 47 enquiry start date | Strategy discussion initiating section 47 enquiry start date | S47 "
            "enquiry start date | S47 start date | Section 47 start date | Date of S47 | Date section 47 enquiry "
            "started | Date of section 47 enquiry",
        ),
        _column(
            "icpc_date",
            "date",
            "Date of initial child protection conference | Initial child protection conference date | ICPC date "
            "| Date of ICPC",
        ),
    ),
    6: (
        _column(
            "event_date",
            "date",
            "CIN start date | Child in need start date | CIN episode start date | Date CIN episode started | CIN "
            "plan start date | Episode start date",
        ),
        _column(
            "end_date",
            "date",
            "Case closure date | Date case closed | CIN closure date | CIN end date | CIN plan end date | Closure "
            "date | Episode end date",
        ),
        CLOSURE_REASON,
        END_REASON,
    ),
    7: (
        _column(
            "event_date",
            "date",
            "Child protection plan start date | CP plan start date | Plan start date | Date CP plan started",
        ),
        _column(
            "end_date", "date", "Child protection plan end date | CP plan end date | Plan end date | Date CP plan ended"
        ),
        _column(
            "previous_plans",
            "count",
            "Number of previous child protection plans | Number of previous CP plans | Previous CP plans | "
            "Previous child protection plans",
        ),
        END_REASON,
    ),
    8: (
        _column(
            "event_date",
            "date",
            "Date started to be looked after | Date started looked after | CLA start date | Date became looked "
            "after | Looked after start date | Date started in care | Date of entry into care",
        ),
        _column(
            "end_date",
            "date",
            "Date ceased to be looked after | Date ceased looked after | CLA end date | Looked after end date | "
            "Date left care",
        ),
        _column(
            "reason_ceased",
            "code",
            "Reason for ceasing | Reason ceased to be looked after | Reason for ceasing to be looked after | Reason "
            "episode ceased | Reason for leaving care",
        ),
        _column("category_of_need", "code", "Category of need | CIN category of need | Primary need code | Need code"),
    ),
    # List 9 (care leavers) is recognised, but no estimate uses it: nothing of it is kept.
    9: (),
}
COMMON_COLUMNS = (CHILD_ID, CASE_REFERENCE, TEAM)
# Dates kept in ``codes`` besides the event and end dates: they must not be before the event date.
CODE_DATES = ("icpc_date", "closure_date")
_ALIASES: dict[int, dict[str, Column]] = {
    number: {_norm(alias): column for column in (*COMMON_COLUMNS, *columns) for alias in column.aliases}
    for number, columns in LISTS.items()
}


def column_labels(number: int) -> list[str]:
    """The columns list ``number`` keeps, for the page that explains the import."""
    if not LISTS[number]:
        return []
    return [c.label for c in (*COMMON_COLUMNS, *LISTS[number])]


# --- sheets ---------------------------------------------------------------------------------------------
_LIST_PREFIX = re.compile(r"^\s*(?:annex\s*a\s*)?(?:list|l)\s*[-_.:#]?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
# Sheet names without a number, most specific first ("Early help assessments" before "assessments").
_SHEET_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (9, ("careleaver",)),
    (8, ("lookedafter", "childrenincare", "cla")),
    (7, ("childprotection", "cpplan")),
    (5, ("section47", "s47")),
    (6, ("childreninneed", "cin")),
    (2, ("earlyhelp",)),
    (4, ("assessment",)),
    (3, ("referral",)),
    (1, ("contact",)),
)


def list_number_of_sheet(name: str) -> int | None:
    """Which of lists 1–9 a sheet holds, from its name; None for any other sheet."""
    match = _LIST_PREFIX.match(name)
    if match:
        number = int(match.group(1))
        return number if number in LISTS else None
    words = re.findall(r"[a-z0-9]+", name.lower())
    joined = "".join(words)
    for number, keys in _SHEET_WORDS:
        for key in keys:
            if (len(key) <= 3 and key in words) or (len(key) > 3 and key in joined):
                return number
    return None


# --- cells ----------------------------------------------------------------------------------------------
_TEXT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B %y",
    "%d %b %y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %B, %Y",
)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers of 1 January 1980 and 31 December 2099: a number outside is not a date.
_SERIAL_RANGE = (29221, 73050)
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}


class CellError(ValueError):
    """A cell we cannot read; the message says what we expected. The row is left out."""


class CellLeftOut(CellError):
    """A cell whose value is not kept (text where a code belongs); the rest of the row is read."""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: object) -> datetime.date:
    """A date cell, ISO or UK text, or an Excel serial number, as a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("is not a date")
    if isinstance(value, int | float):
        if float(value).is_integer() and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(f"{value:g} is not a date")
    text = _ORDINAL.sub(r"\1", " ".join(str(value).split()))
    # "2026-03-03 00:00:00" and "2026-03-03T00:00:00": a date and time written as text.
    candidate = re.split(r"[T ]", text, maxsplit=1)[0] if re.match(r"^\d{4}-\d\d-\d\d[T ]", text) else text
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{str(value)[:40]!r} is not a date we can read (use a date cell, 2026-03-31 or 31/03/2026)")


def _text(value: object) -> str:
    """A cell as text; whole numbers lose their ".0" (IDs typed as numbers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _parse_cell(column: Column, value: object, today: datetime.date) -> object:
    if column.kind == "date":
        day = parse_date(value)
        if day > today:
            raise CellError(f"{day:%d/%m/%Y} is after today")
        if day < EARLIEST_DATE:
            raise CellError(f"{day:%d/%m/%Y} is before {EARLIEST_DATE:%Y}")
        return day
    if column.kind == "flag":
        if isinstance(value, bool):
            return value
        word = _norm(_text(value))
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise CellError(f"{_text(value)[:40]!r} is not Y or N")
    if column.kind == "count":
        text = _text(value)
        if not text.isdigit():
            raise CellError(f"{text[:40]!r} is not a whole number")
        return int(text)
    text = _text(value)
    if column.kind == "nfa":
        return is_nfa_outcome(text)
    if column.kind == "step_down":
        return is_step_down_at_plan_end(text)
    if column.kind == "code":
        # Least data: a code is kept, never free text that may describe a family.
        code = "".join(ch for ch in text.upper() if ch.isalnum())
        if not 0 < len(code) <= MAX_CODE_LENGTH:
            raise CellLeftOut("is not a code such as RC9: left out, the rest of the row was read")
        return code
    limit = MAX_ID_LENGTH if column.kind == "id" else MAX_TEAM_LENGTH
    if len(text) > limit:
        raise CellError(f"is longer than {limit} characters")
    return text


# --- reading a workbook ----------------------------------------------------------------------------------
def _problem(sheet: str, row: int, column: str, message: str) -> dict[str, Any]:
    return {"sheet": sheet, "row": row, "column": column, "message": message}


@dataclass(frozen=True)
class ParsedEvent:
    child_id: str
    event_date: datetime.date
    end_date: datetime.date | None
    codes: dict[str, Any]
    row: int


@dataclass
class ParsedList:
    number: int
    sheet: str
    # The kept columns this sheet has (an absent column leaves a stored value alone).
    present: frozenset[str] = frozenset()
    events: dict[tuple[str, datetime.date], ParsedEvent] = field(default_factory=dict)
    not_kept: list[str] = field(default_factory=list)


@dataclass
class AnnexARead:
    lists: dict[int, ParsedList] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    unreadable_rows: int = 0

    @property
    def events(self) -> int:
        return sum(len(p.events) for p in self.lists.values())

    @property
    def latest_date(self) -> datetime.date | None:
        """The date the workbook covers up to: its latest date of any kind."""
        latest: datetime.date | None = None
        for parsed in self.lists.values():
            for event in parsed.events.values():
                dates = [event.event_date, event.end_date, *(event.codes.get(name) for name in CODE_DATES)]
                for day in dates:
                    if isinstance(day, str):
                        day = datetime.date.fromisoformat(day)
                    if day is not None and (latest is None or day > latest):
                        latest = day
        return latest


def _find_header(rows: list[list[Any]], number: int) -> tuple[int, dict[int, Column]] | None:
    """The header row's index and the kept column of each cell index, or None."""
    aliases = _ALIASES[number]
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[int, Column] = {}
        taken: set[str] = set()
        for position, cell in enumerate(row):
            column = aliases.get(_norm(cell)) if not _blank(cell) else None
            # Two columns for one field (e.g. two end dates): the first one counts.
            if column and column.name not in taken:
                found[position] = column
                taken.add(column.name)
        if "child_id" in taken and "event_date" in taken:
            return index, found
    return None


def _read_sheet(parsed: ParsedList, rows: list[list[Any]], read: AnnexARead, today: datetime.date) -> None:
    columns = LISTS[parsed.number]
    event_label = columns[0].label
    header = _find_header(rows, parsed.number)
    if header is None:
        read.problems.append(
            _problem(
                parsed.sheet,
                1,
                "",
                f"no header row with a child ID column and a '{event_label}' column in the first "
                f"{HEADER_SEARCH_ROWS} rows: this list was not read",
            )
        )
        return
    header_index, found = header
    parsed.present = frozenset(c.name for c in found.values())
    parsed.not_kept = [
        _text(cell) for position, cell in enumerate(rows[header_index]) if position not in found and not _blank(cell)
    ]
    where = {
        column.name: (f"{get_column_letter(position + 1)} ({_text(rows[header_index][position])})", column)
        for position, column in found.items()
    }
    first_row: dict[tuple[str, datetime.date], int] = {}
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        row_number = index + 1
        if all(_blank(cell) for cell in cells):
            continue
        values: dict[str, object] = {}
        bad: list[dict[str, Any]] = []
        for position, column in found.items():
            cell = cells[position] if position < len(cells) else None
            if _blank(cell):
                continue
            try:
                values[column.name] = _parse_cell(column, cell, today)
            except CellLeftOut as exc:
                read.problems.append(_problem(parsed.sheet, row_number, where[column.name][0], str(exc)))
            except CellError as exc:
                bad.append(_problem(parsed.sheet, row_number, where[column.name][0], str(exc)))
        for required in ("child_id", "event_date"):
            if required not in values and not any(p["column"] == where[required][0] for p in bad):
                bad.append(_problem(parsed.sheet, row_number, where[required][0], "is blank"))
        start = values.get("event_date")
        for name in ("end_date", *CODE_DATES):
            day = values.get(name)
            if isinstance(start, datetime.date) and isinstance(day, datetime.date) and day < start:
                bad.append(
                    _problem(parsed.sheet, row_number, where[name][0], f"{day:%d/%m/%Y} is before the {event_label}")
                )
        key = (str(values.get("child_id", "")), start)
        if not bad and key in first_row:
            bad.append(
                _problem(
                    parsed.sheet,
                    row_number,
                    where["event_date"][0],
                    f"the same child and {event_label.lower()} as row {first_row[key]}: row {first_row[key]} was kept",
                )
            )
        if bad:
            read.problems.extend(bad)
            read.unreadable_rows += 1
            continue
        first_row[key] = row_number
        codes = {
            name: (value.isoformat() if isinstance(value, datetime.date) else value)
            for name, value in values.items()
            if name not in {"child_id", "event_date", "end_date"}
        }
        parsed.events[key] = ParsedEvent(
            child_id=str(values["child_id"]),
            event_date=start,
            end_date=values.get("end_date"),
            codes=codes,
            row=row_number,
        )


def annex_a_read(data: bytes, *, today: datetime.date | None = None) -> AnnexARead:
    """Read a workbook's lists. Raises :class:`AnnexAUnreadable` for a file that is not a workbook
    or has no sheet we recognise as a list; unreadable rows are reported in ``problems``."""
    day = today or clock.today()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise AnnexAUnreadable(f"The file is not an Excel workbook we can read ({exc}).") from None
    read = AnnexARead()
    for name in workbook.sheet_names:
        number = list_number_of_sheet(name)
        if number is None:
            continue
        if number in read.lists:
            read.problems.append(
                _problem(name, 1, "", f"also looks like list {number} ({read.lists[number].sheet!r} was read)")
            )
            continue
        parsed = ParsedList(number=number, sheet=name)
        read.lists[number] = parsed
        if not LISTS[number]:
            continue
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            read.problems.append(_problem(name, 1, "", f"the sheet could not be read ({exc})"))
            continue
        _read_sheet(parsed, rows, read, day)
    if not read.lists:
        raise AnnexAUnreadable(
            "The workbook has no sheet we recognise as an Annex A list. Name each sheet after its list, "
            "for example 'List 3' or 'List 3 - Referrals'."
        )
    return read


# --- merging into events ----------------------------------------------------------------------------------
@dataclass
class AnnexAImport:
    snapshot: AnnexASnapshot
    created: bool
    lists: dict[int, tuple[str, int]] = field(default_factory=dict)  # number -> (sheet, rows kept)
    not_kept: dict[str, list[str]] = field(default_factory=dict)  # sheet -> columns not kept
    matched: int = 0
    estimates: int = 0

    def summary(self) -> str:
        snap = self.snapshot
        if not self.created:
            return (
                f"This workbook was imported already on {snap.imported_at:%d %B %Y}: nothing changed "
                f"({snap.file_name}, data up to {snap.extracted_on:%d %B %Y})."
            )
        problems = f", {len(snap.problems)} unreadable row problems" if snap.problems else ""
        return (
            f"{snap.file_name}: {snap.rows_read:,} rows read, {snap.events_added:,} events added, "
            f"{snap.events_updated:,} updated{problems}; data up to {snap.extracted_on:%d %B %Y}."
        )


def _kept_problems(read: AnnexARead) -> list[dict[str, Any]]:
    kept = read.problems[:MAX_PROBLEMS_KEPT]
    left_out = len(read.problems) - len(kept)
    if left_out:
        kept.append(_problem("", 0, "", f"and {left_out:,} more problems not listed"))
    return kept


def _team_lookup() -> dict[str, int]:
    """Team codes and names, whatever their case, to the team's id (a code wins over a name)."""
    teams = list(Team.objects.values_list("pk", "code", "name"))
    lookup = {name.strip().lower(): pk for pk, _, name in teams}
    lookup.update({code.lower(): pk for pk, code, _ in teams})
    return lookup


def _case_lookup() -> dict[str, int]:
    return {ref.lower(): pk for pk, ref in CaseFile.objects.values_list("pk", "case_reference")}


def _case_reference(child_id: str, codes: dict[str, Any]) -> str:
    return str(codes.get("case_reference") or child_id).lower()


_PREPARED_TYPES = frozenset({"DateField", "JSONField"})


def _prepared(fields: Sequence[Any], rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows of values ready for the database: dates and JSON as this backend takes them."""
    # The connection itself, looked up once: the ``connection`` proxy costs a thread-local lookup
    # on every use, which at 200,000 rows is seconds.
    db = connections[DEFAULT_DB_ALIAS]
    prepare = [f.get_db_prep_save if f.get_internal_type() in _PREPARED_TYPES else None for f in fields]
    return [[p(v, db) if p else v for p, v in zip(prepare, row, strict=True)] for row in rows]


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """INSERT new events, many rows a statement (far faster than bulk_create's model instances at
    200,000 rows). Another import adding the same event at the same moment: the unique constraint
    keeps one."""
    meta = AnnexAEvent._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in EVENT_INSERT_FIELDS]
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = MAX_PARAMETERS // len(fields)
    with connection.cursor() as cursor:
        for chunk in _chunks(_prepared(fields, rows), per_statement):
            values = ", ".join([one] * len(chunk))
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} ON CONFLICT DO NOTHING"  # noqa: S608 - names from the model
            cursor.execute(sql, [value for row in chunk for value in row])


def _update_events(names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE events by primary key (the last value of each row): one statement, many rows."""
    if not rows:
        return
    meta = AnnexAEvent._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - names from the model
    prepared = _prepared([*fields, meta.pk], rows)
    with connection.cursor() as cursor:
        for chunk in _chunks(prepared, BATCH_SIZE):
            cursor.executemany(sql, chunk)


def _chunks(items: Sequence[Any], size: int = MAX_PARAMETERS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


EVENT_INSERT_FIELDS = (
    "list_number",
    "child_id",
    "event_date",
    "end_date",
    "codes",
    "team",
    "case_file",
    "first_snapshot",
    "last_snapshot",
)
EVENT_UPDATE_FIELDS = ("end_date", "codes", "team", "case_file", "last_snapshot")


def _merge(read: AnnexARead, snapshot: AnnexASnapshot) -> tuple[int, int, int]:
    """Add new events and update the ones this (newer) workbook changes. Returns how many were
    added and updated, and how many of the workbook's events have a case file."""
    teams = _team_lookup()
    cases = _case_lookup()
    extracted = dict(AnnexASnapshot.objects.values_list("pk", "extracted_on"))
    new: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    touched: list[int] = []
    updated = matched = 0
    for number, parsed in sorted(read.lists.items()):
        if not parsed.events:
            continue
        existing = {
            (child, day): rest
            for child, day, *rest in AnnexAEvent.objects.filter(list_number=number).values_list(
                "child_id", "event_date", "pk", "end_date", "codes", "team_id", "case_file_id", "last_snapshot_id"
            )
        }
        for key, event in parsed.events.items():
            old = existing.get(key)
            if old is None:
                codes = event.codes
                team = teams.get(str(codes.get("team", "")).lower())
                case = cases.get(_case_reference(event.child_id, codes))
                matched += case is not None
                new.append(
                    (
                        number,
                        event.child_id,
                        event.event_date,
                        event.end_date,
                        codes,
                        team,
                        case,
                        snapshot.pk,
                        snapshot.pk,
                    )
                )
                continue
            pk, end_date, old_codes, team_id, case_file_id, last_snapshot_id = old
            if extracted.get(last_snapshot_id, snapshot.extracted_on) > snapshot.extracted_on:
                # A newer workbook has spoken about this event: an older one never overwrites it.
                continue
            # A column this sheet has replaces the stored value (a blank cell clears it); a column
            # it lacks leaves the stored value alone.
            codes = {k: v for k, v in (old_codes or {}).items() if k not in parsed.present} | event.codes
            new_end = event.end_date if "end_date" in parsed.present else end_date
            new_team = teams.get(str(codes.get("team", "")).lower())
            new_case = cases.get(_case_reference(event.child_id, codes), case_file_id)
            matched += new_case is not None
            if (new_end, codes, new_team) != (end_date, old_codes, team_id):
                changed.append((new_end, codes, new_team, new_case, snapshot.pk, pk))
                updated += 1
            elif new_case != case_file_id:
                # Only the match to a case file is new: written, but not an update of the event.
                changed.append((end_date, old_codes, team_id, new_case, snapshot.pk, pk))
            else:
                touched.append(pk)
    _insert_events(new)
    _update_events(EVENT_UPDATE_FIELDS, changed)
    for chunk in _chunks(touched):
        AnnexAEvent.objects.filter(pk__in=chunk).update(last_snapshot=snapshot)
    return len(new), updated, matched


def annex_a_match_case_files(*, skip_snapshot: AnnexASnapshot | None = None) -> int:
    """Match events with no case file to case files added since they were imported (by case
    reference, whatever the case). Returns how many were matched. An import skips its own
    events: it has just matched them."""
    cases = _case_lookup()
    unmatched = AnnexAEvent.objects.filter(case_file__isnull=True)
    if skip_snapshot is not None:
        unmatched = unmatched.exclude(last_snapshot=skip_snapshot)
    rows = [
        (cases[ref], pk)
        for pk, child_id, codes in unmatched.values_list("pk", "child_id", "codes")
        if (ref := _case_reference(child_id, codes or {})) in cases
    ]
    _update_events(("case_file",), rows)
    return len(rows)


def _create_snapshot(**fields: Any) -> AnnexASnapshot | None:
    """The new snapshot, or None when another import of the same file got there first."""
    try:
        with transaction.atomic():
            return AnnexASnapshot.objects.create(**fields)
    except IntegrityError:
        return None


@transaction.atomic
def annex_a_import(
    *,
    data: bytes,
    file_name: str,
    actor: User | None = None,
    today: datetime.date | None = None,
    recompute: bool = True,
) -> AnnexAImport:
    """Import a workbook as a dated snapshot, merge its events and recompute the app estimates
    (``recompute=False`` leaves that to a later import of the same batch, as the demo does).

    The same file again (same SHA-256) changes nothing: the existing snapshot is returned with
    ``created=False``. Raises :class:`AnnexAUnreadable` (nothing written) for a file that is not a
    workbook, has no list we recognise, or has no row we can read.
    """
    day = today or clock.today()
    sha = hashlib.sha256(data).hexdigest()
    existing = AnnexASnapshot.objects.filter(sha256=sha).first()
    if existing is not None:
        return AnnexAImport(snapshot=existing, created=False)
    read = annex_a_read(data, today=day)
    latest = read.latest_date
    if latest is None:
        raise AnnexAUnreadable(
            "No row of the workbook could be read: nothing was imported.", problems=_kept_problems(read)
        )
    snapshot = _create_snapshot(
        file_name=file_name[:255],
        sha256=sha,
        extracted_on=latest,
        imported_by=actor,
        rows_read=read.events,
        problems=_kept_problems(read),
    )
    if snapshot is None:
        return AnnexAImport(snapshot=AnnexASnapshot.objects.get(sha256=sha), created=False)
    added, updated, matched = _merge(read, snapshot)
    snapshot.events_added, snapshot.events_updated = added, updated
    snapshot.save(update_fields=["events_added", "events_updated"])
    matched += annex_a_match_case_files(skip_snapshot=snapshot)
    run = estimates_recompute(actor=actor) if recompute else EstimateRun()
    return AnnexAImport(
        snapshot=snapshot,
        created=True,
        lists={n: (p.sheet, len(p.events)) for n, p in sorted(read.lists.items())},
        not_kept={p.sheet: p.not_kept for _, p in sorted(read.lists.items()) if p.not_kept},
        matched=matched,
        estimates=run.rows,
    )


# --- uploads from the page, imported by a job ---------------------------------------------------------------
@transaction.atomic
def annex_a_upload_create(*, file_name: str, data: bytes, actor: User) -> AnnexAUpload:
    """Keep an uploaded workbook and queue its import. A workbook imported already is not kept:
    the upload says so at once and nothing changes."""
    sha = hashlib.sha256(data).hexdigest()
    upload = AnnexAUpload(file_name=file_name[:255], size=len(data), sha256=sha, uploaded_by=actor)
    existing = AnnexASnapshot.objects.filter(sha256=sha).first()
    if existing is not None:
        upload.status = AnnexAUpload.Status.ALREADY
        upload.snapshot = existing
        upload.message = AnnexAImport(snapshot=existing, created=False).summary()[:500]
        upload.save()
        return upload
    upload.content = data
    upload.save()
    upload.job = job_enqueue(
        kind=ANNEX_A_JOB, key=f"annex-a-import:{upload.pk}", payload={"upload_id": upload.pk}, actor=actor
    )
    upload.save(update_fields=["job"])
    return upload


def annex_a_upload_run(*, job: Job) -> dict[str, Any]:
    """Job handler: import the kept workbook, then empty the upload (the file is not kept)."""
    upload = AnnexAUpload.objects.select_for_update().get(pk=job.payload["upload_id"])
    if upload.status != AnnexAUpload.Status.QUEUED:
        return {"skipped": 1}
    try:
        outcome = annex_a_import(data=bytes(upload.content), file_name=upload.file_name, actor=upload.uploaded_by)
    except AnnexAUnreadable as exc:
        upload.status = AnnexAUpload.Status.REFUSED
        upload.message = str(exc)[:500]
        upload.content = b""
        upload.save(update_fields=["status", "message", "content"])
        return {"refused": 1}
    upload.status = AnnexAUpload.Status.IMPORTED if outcome.created else AnnexAUpload.Status.ALREADY
    upload.snapshot = outcome.snapshot
    upload.message = outcome.summary()[:500]
    upload.content = b""
    upload.save(update_fields=["status", "snapshot", "message", "content"])
    snap = outcome.snapshot
    if outcome.created:
        # Annex A rows are case-level records: who brought them in is logged, as for the caseload.
        AccessLog.objects.create(
            user=upload.uploaded_by, action=AccessLog.Action.IMPORT, object_type="annex_a", object_ref=str(snap.pk)
        )
    return {"snapshot": snap.pk, "added": snap.events_added, "updated": snap.events_updated}


def annex_a_upload_failed(*, job: Job, final: bool) -> None:
    if final:
        AnnexAUpload.objects.filter(pk=job.payload["upload_id"], status=AnnexAUpload.Status.QUEUED).update(
            status=AnnexAUpload.Status.FAILED,
            content=b"",
            message="The import failed after several tries and nothing was imported. Upload the file again.",
        )


# --- selectors ----------------------------------------------------------------------------------------------
def annex_a_snapshots(limit: int = 20) -> list[AnnexASnapshot]:
    return list(AnnexASnapshot.objects.select_related("imported_by").order_by("-imported_at", "-pk")[:limit])


def annex_a_uploads(limit: int = 10) -> list[AnnexAUpload]:
    return list(
        AnnexAUpload.objects.select_related("job", "uploaded_by", "snapshot")
        .defer("content")
        .order_by("-uploaded_at", "-pk")[:limit]
    )


def annex_a_unmatched_children() -> QuerySet[AnnexAEvent, dict[str, Any]]:
    """Children with Annex A events but no case file, one row each, by child ID."""
    return (
        AnnexAEvent.objects.filter(case_file__isnull=True)
        .values("child_id")
        .annotate(events=Count("pk"), first=Min("event_date"), latest=Max("event_date"))
        .order_by("child_id")
    )


def annex_a_lists_of(child_ids: Iterable[str]) -> dict[str, list[int]]:
    """The lists each of these children (with no case file) appears on."""
    found: dict[str, set[int]] = {}
    pairs = AnnexAEvent.objects.filter(case_file__isnull=True, child_id__in=list(child_ids)).values_list(
        "child_id", "list_number"
    )
    for child_id, number in pairs.distinct():
        found.setdefault(child_id, set()).add(number)
    return {child: sorted(numbers) for child, numbers in found.items()}


def annex_a_match_sweep(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily: events whose child's case file was added since are matched to it."""
    with transaction.atomic():
        return annex_a_match_case_files()


def register() -> None:
    """Hooks, loaders, jobs and sweeps of this part."""
    from core import hooks

    hooks.register(f"job:{ANNEX_A_JOB}", annex_a_upload_run)
    hooks.register(f"job-failed:{ANNEX_A_JOB}", annex_a_upload_failed)
    register_sweep("annex-a-match-case-files", "daily", annex_a_match_sweep)
