"""The caseload import: case files from the case-management system's CSV extract.

A file is checked whole first. Any problem refuses the whole file and writes nothing; a clean
file creates new case files and updates existing ones in place. An unknown practitioner is a
warning (the case comes in unallocated). In full-extract mode, open case files missing from the
file are flagged "not in the latest extract" for the QA team to confirm — never closed.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.csvio import Problem, parse_date, parse_yes_no, read_csv

from .models import CaseFile, CaseType, Team, User

REQUIRED_COLUMNS = ("case_reference", "child_initials", "birth_year", "case_type", "team_code", "opened_on")
OPTIONAL_COLUMNS = (
    "unborn",
    "legal_status",
    "practitioner_email",
    "chair_email",
    "family_reference",
    "restricted",
    "closed_on",
)
# The template's column order.
COLUMNS = (
    "case_reference",
    "child_initials",
    "birth_year",
    "unborn",
    "case_type",
    "legal_status",
    "team_code",
    "practitioner_email",
    "chair_email",
    "family_reference",
    "restricted",
    "opened_on",
    "closed_on",
)
# Fields an import may change on an existing case file.
UPDATABLE_FIELDS = (
    "child_initials",
    "birth_year",
    "unborn",
    "case_type",
    "legal_status",
    "team_id",
    "practitioner_id",
    "chair_id",
    "family_reference",
    "restricted",
    "opened_on",
    "closed_on",
    "not_in_latest_extract",
)
# Columns whose cells are stored or echoed as text: a cell starting "=", "+", "-" or "@" is
# refused there. The other columns are parsed (year, yes/no, date), so such a cell fails its parse.
TEXT_COLUMNS = (
    "case_reference",
    "child_initials",
    "case_type",
    "legal_status",
    "team_code",
    "practitioner_email",
    "chair_email",
    "family_reference",
)
# The optional column each field comes from. A column absent from the file leaves the field of an
# existing case file alone: a file without "restricted" must not lift a restriction, and one
# without "practitioner_email" must not unallocate every case.
_OPTIONAL_FIELD_COLUMN = {
    "unborn": "unborn",
    "legal_status": "legal_status",
    "practitioner_id": "practitioner_email",
    "chair_id": "chair_email",
    "family_reference": "family_reference",
    "restricted": "restricted",
    "closed_on": "closed_on",
}
# Letters (accented ones too: "É" for Élodie), with dots, spaces, hyphens or apostrophes between.
_INITIALS = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'\-]){0,7}")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]{0,39}")
_YEAR = re.compile(r"[0-9]{4}")
BATCH_SIZE = 2000


class CaseloadRefused(Exception):
    def __init__(self, check: CaseloadCheck) -> None:
        super().__init__(f"{len(check.problems)} problem(s) in the file")
        self.check = check


@dataclass
class CaseloadCheck:
    """What a file would do, and everything wrong with it."""

    rows: list[dict[str, object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The fields this file sets on an existing case file (absent optional columns left out).
    fields: tuple[str, ...] = ()
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    to_flag: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CaseloadResult:
    created: int
    updated: int
    unchanged: int
    warned: int
    flagged: int
    warnings: tuple[Problem, ...] = ()

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "warned": self.warned,
            "flagged": self.flagged,
        }


@dataclass
class _Plan:
    """The writes a clean file makes, worked out against the case files as they are now."""

    to_create: list[CaseFile] = field(default_factory=list)
    to_update: list[CaseFile] = field(default_factory=list)
    to_flag: list[CaseFile] = field(default_factory=list)


def _lookup_tables() -> tuple[dict[str, int], dict[str, int]]:
    teams = {code.lower(): pk for pk, code in Team.objects.values_list("pk", "code")}
    people = {email.lower(): pk for pk, email in User.objects.filter(is_active=True).values_list("pk", "email")}
    return teams, people


def _initials_problem(initials: str) -> str | None:
    letters = sum(1 for char in initials if char.isalpha())
    # "Jo", "Sam", "AJo": a capital followed by a small letter is a name (or part of one).
    name_like = any(a.isupper() and b.islower() for a, b in itertools.pairwise(initials))
    if not _INITIALS.fullmatch(initials) or letters > 4 or name_like:
        return "use the child's initials only (up to 4 letters), never a name"
    return None


def caseload_check(*, text: str, full_extract: bool, today: datetime.date | None = None) -> CaseloadCheck:
    """Check a caseload CSV without writing anything."""
    check, _ = _check_and_plan(text=text, full_extract=full_extract, today=today)
    return check


def _check_and_plan(
    *, text: str, full_extract: bool, today: datetime.date | None
) -> tuple[CaseloadCheck, _Plan | None]:
    day = today or timezone.localdate()
    parsed = read_csv(text, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, text_columns=TEXT_COLUMNS)
    check = CaseloadCheck(problems=list(parsed.problems), warnings=list(parsed.warnings))
    if any(p.row == 1 for p in parsed.problems):
        check.problems.sort()
        return check, None
    present = set(parsed.header)
    check.fields = tuple(
        name
        for name in UPDATABLE_FIELDS
        if name not in _OPTIONAL_FIELD_COLUMN or _OPTIONAL_FIELD_COLUMN[name] in present
    )
    if "practitioner_email" not in present:
        check.warnings.append(
            Problem(
                1,
                "practitioner_email",
                "the column is absent: new case files come in unallocated; existing ones keep their practitioner",
            )
        )
    if not parsed.rows and not parsed.problems:
        # A header alone is almost always a failed export; as a full extract it would flag every
        # open case file.
        check.problems.append(Problem(2, "(row)", "the file has no case rows"))
        return check, None
    # A cell already refused as a formula gets no second problem (or warning) about its content.
    formula_cells = {(p.row, p.column) for p in parsed.problems}
    teams, people = _lookup_tables()
    seen_refs: dict[str, int] = {}
    row_numbers: list[int] = []  # the file row of each entry in check.rows
    valid_case_types = {c.value for c in CaseType}

    for row_number, raw in parsed.rows:
        problems: list[Problem] = []

        def bad(column: str, message: str, _row: int = row_number, _problems: list[Problem] = problems) -> None:
            if (_row, column) not in formula_cells:
                _problems.append(Problem(_row, column, message))

        reference = raw.get("case_reference", "")
        if not reference:
            bad("case_reference", "is missing")
        elif not _REFERENCE.fullmatch(reference):
            bad("case_reference", "must be letters, digits, '/', '-', '_' or '.', up to 40 characters")
        elif reference.lower() in seen_refs:
            bad("case_reference", f"{reference!r} appears again (first on row {seen_refs[reference.lower()]})")
        else:
            seen_refs[reference.lower()] = row_number

        initials = raw.get("child_initials", "")
        if not initials:
            bad("child_initials", "is missing")
        elif message := _initials_problem(initials):
            bad("child_initials", message)

        unborn = False
        try:
            unborn = parse_yes_no(raw.get("unborn", ""))
        except ValueError as exc:
            bad("unborn", str(exc))

        birth_year: int | None = None
        value = raw.get("birth_year", "")
        if not value:
            bad("birth_year", "is missing")
        elif not _YEAR.fullmatch(value):
            bad("birth_year", f"{value!r} is not a four-digit year")
        else:
            birth_year = int(value)
            if birth_year > day.year and not unborn:
                bad("birth_year", f"{birth_year} is in the future (set unborn to yes for an unborn baby)")
            elif birth_year > day.year + 1:
                bad("birth_year", f"{birth_year} is too far in the future even for an unborn baby")
            elif birth_year < day.year - 26:
                bad("birth_year", f"{birth_year} is too long ago for a child or care leaver")

        case_type = raw.get("case_type", "").lower()
        if not case_type:
            bad("case_type", "is missing")
        elif case_type not in valid_case_types:
            bad("case_type", f"{raw['case_type']!r} is not one of {', '.join(sorted(valid_case_types))}")

        team_code = raw.get("team_code", "")
        team_id = teams.get(team_code.lower()) if team_code else None
        if not team_code:
            bad("team_code", "is missing")
        elif team_id is None:
            bad("team_code", f"{team_code!r} is not a team in the app")

        opened_on = closed_on = None
        for column, required in (("opened_on", True), ("closed_on", False)):
            value = raw.get(column, "")
            if not value:
                if required:
                    bad(column, "is missing")
                continue
            try:
                parsed_date = parse_date(value)
            except ValueError as exc:
                bad(column, str(exc))
                continue
            if parsed_date > day:
                bad(column, f"{parsed_date:%d/%m/%Y} is in the future")
            if column == "opened_on":
                opened_on = parsed_date
            else:
                closed_on = parsed_date
        if opened_on and closed_on and closed_on < opened_on:
            bad("closed_on", f"{closed_on:%d/%m/%Y} is before the case was opened ({opened_on:%d/%m/%Y})")

        restricted = False
        try:
            restricted = parse_yes_no(raw.get("restricted", ""))
        except ValueError as exc:
            bad("restricted", str(exc))

        for column, limit in (("legal_status", 60), ("family_reference", 40)):
            if len(raw.get(column, "")) > limit:
                bad(column, f"is longer than {limit} characters")

        practitioner_id = chair_id = None
        for column in ("practitioner_email", "chair_email"):
            if column not in present or (row_number, column) in formula_cells:
                continue
            email = raw.get(column, "").lower()
            if email:
                person = people.get(email)
                if person is None:
                    what = "practitioner" if column == "practitioner_email" else "chair"
                    check.warnings.append(
                        Problem(
                            row_number, column, f"no active person with this email: the case comes in with no {what}"
                        )
                    )
                elif column == "practitioner_email":
                    practitioner_id = person
                else:
                    chair_id = person
            elif column == "practitioner_email":
                check.warnings.append(Problem(row_number, column, "blank: the case comes in unallocated"))

        if problems:
            check.problems.extend(problems)
            continue
        row: dict[str, object] = {
            "case_reference": reference,
            "child_initials": initials.upper(),
            "birth_year": birth_year,
            "unborn": unborn,
            "case_type": case_type,
            "legal_status": raw.get("legal_status", ""),
            "team_id": team_id,
            "practitioner_id": practitioner_id,
            "chair_id": chair_id,
            "family_reference": raw.get("family_reference", ""),
            "restricted": restricted,
            "opened_on": opened_on,
            "closed_on": closed_on,
            # Present in this file, so no longer "not in the latest extract".
            "not_in_latest_extract": False,
        }
        check.rows.append({k: v for k, v in row.items() if k == "case_reference" or k in check.fields})
        row_numbers.append(row_number)
    plan = _plan(check, row_numbers=row_numbers, full_extract=full_extract) if check.ok else None
    check.problems.sort()
    check.warnings.sort()
    return check, (plan if check.ok else None)


def _plan(check: CaseloadCheck, *, row_numbers: list[int], full_extract: bool) -> _Plan:
    """Match the clean rows to the case files there are now; count and collect the writes.

    Adds the problems only visible against stored data (a new opening date after the stored
    closing date when the file has no closed_on column) and warns before a restriction is lifted.
    """
    plan = _Plan()
    existing = {case.case_reference.lower(): case for case in CaseFile.objects.all()}
    for row_number, row in zip(row_numbers, check.rows, strict=True):
        current = existing.get(str(row["case_reference"]).lower())
        if current is None:
            plan.to_create.append(CaseFile(**row))
            continue
        changed = [name for name in check.fields if getattr(current, name) != row[name]]
        if not changed:
            check.unchanged += 1
            continue
        closed_on = row.get("closed_on", current.closed_on)
        if closed_on is not None and row["opened_on"] > closed_on:
            check.problems.append(
                Problem(
                    row_number,
                    "opened_on",
                    f"{row['opened_on']:%d/%m/%Y} is after the case was closed ({closed_on:%d/%m/%Y}); "
                    "add the closed_on column",
                )
            )
            continue
        if current.restricted and row.get("restricted") is False:
            check.warnings.append(
                Problem(row_number, "restricted", "the case file is restricted now; this file lifts the restriction")
            )
        for name in changed:
            setattr(current, name, row[name])
        plan.to_update.append(current)
    if full_extract:
        in_file = {str(row["case_reference"]).lower() for row in check.rows}
        for ref, case in existing.items():
            if ref not in in_file and case.closed_on is None and not case.not_in_latest_extract:
                case.not_in_latest_extract = True
                plan.to_flag.append(case)
    check.to_create = len(plan.to_create)
    check.to_update = len(plan.to_update)
    check.to_flag = len(plan.to_flag)
    return plan


@transaction.atomic
def caseload_import(
    *, text: str, full_extract: bool, actor: User | None, today: datetime.date | None = None
) -> CaseloadResult:
    """Check the file and, only if it is clean, create and update case files in one transaction.

    Raises :class:`CaseloadRefused` (nothing written) when the file has any problem. Case files
    that did not change get no write and no history row.
    """
    check, plan = _check_and_plan(text=text, full_extract=full_extract, today=today)
    if plan is None:
        raise CaseloadRefused(check)
    # History rows record who made each change (bulk paths write none by themselves).
    if plan.to_create:
        bulk_create_with_history(plan.to_create, CaseFile, batch_size=BATCH_SIZE, default_user=actor)
    if plan.to_update:
        bulk_update_with_history(
            plan.to_update, CaseFile, list(check.fields), batch_size=BATCH_SIZE, default_user=actor
        )
    if plan.to_flag:
        bulk_update_with_history(
            plan.to_flag, CaseFile, ["not_in_latest_extract"], batch_size=BATCH_SIZE, default_user=actor
        )
    warned_rows = {w.row for w in check.warnings if w.row > 1}
    return CaseloadResult(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        unchanged=check.unchanged,
        warned=len(warned_rows),
        flagged=len(plan.to_flag),
        warnings=tuple(check.warnings),
    )
