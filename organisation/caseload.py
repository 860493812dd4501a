"""The caseload import: case files from the case-management system's CSV extract.

A file is checked whole first. Any problem refuses the whole file and writes nothing; a clean
file creates new case files and updates existing ones in place. An unknown practitioner is a
warning (the case comes in unallocated). In full-extract mode, open case files missing from the
file are flagged "not in the latest extract" for the QA team to confirm — never closed.
"""

from __future__ import annotations

import datetime
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
_INITIALS = re.compile(r"^[A-Za-z][A-Za-z .'\-]{0,7}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\-]{0,39}$")
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

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "warned": self.warned,
            "flagged": self.flagged,
        }


def _lookup_tables() -> tuple[dict[str, int], dict[str, int]]:
    teams = {code.lower(): pk for pk, code in Team.objects.values_list("pk", "code")}
    people = {email.lower(): pk for pk, email in User.objects.filter(is_active=True).values_list("pk", "email")}
    return teams, people


def caseload_check(*, text: str, full_extract: bool, today: datetime.date | None = None) -> CaseloadCheck:
    """Check a caseload CSV without writing anything."""
    day = today or timezone.localdate()
    parsed = read_csv(text, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    check = CaseloadCheck(problems=list(parsed.problems), warnings=list(parsed.warnings))
    if any(p.row == 1 for p in parsed.problems):
        check.problems.sort()
        return check
    teams, people = _lookup_tables()
    seen_refs: dict[str, int] = {}
    valid_case_types = {c.value for c in CaseType}

    for row_number, raw in parsed.rows:
        problems: list[Problem] = []

        def bad(column: str, message: str, _row: int = row_number, _problems: list[Problem] = problems) -> None:
            _problems.append(Problem(_row, column, message))

        reference = raw.get("case_reference", "")
        if not reference:
            bad("case_reference", "is missing")
        elif not _REFERENCE.match(reference):
            bad("case_reference", "must be letters, digits, '/', '-', '_' or '.', up to 40 characters")
        elif reference.lower() in seen_refs:
            bad("case_reference", f"{reference!r} appears again (first on row {seen_refs[reference.lower()]})")
        else:
            seen_refs[reference.lower()] = row_number

        initials = raw.get("child_initials", "")
        if not initials:
            bad("child_initials", "is missing")
        elif not _INITIALS.match(initials) or len(initials.replace(".", "").replace(" ", "")) > 4:
            bad("child_initials", "use the child's initials only (up to 4 letters), never a name")

        unborn = False
        try:
            unborn = parse_yes_no(raw.get("unborn", ""))
        except ValueError as exc:
            bad("unborn", str(exc))

        birth_year: int | None = None
        value = raw.get("birth_year", "")
        if not value:
            bad("birth_year", "is missing")
        elif not value.isdigit() or len(value) != 4:
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
        check.rows.append(
            {
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
                "not_in_latest_extract": False,
            }
        )
    check.problems.sort()
    if check.ok:
        _plan(check, full_extract=full_extract)
    return check


def _plan(check: CaseloadCheck, *, full_extract: bool) -> None:
    existing = _existing_by_reference()
    for row in check.rows:
        current = existing.get(str(row["case_reference"]).lower())
        if current is None:
            check.to_create += 1
        elif any(getattr(current, name) != row[name] for name in UPDATABLE_FIELDS):
            check.to_update += 1
        else:
            check.unchanged += 1
    if full_extract:
        in_file = {str(row["case_reference"]).lower() for row in check.rows}
        check.to_flag = sum(
            1
            for ref, case in existing.items()
            if ref not in in_file and case.closed_on is None and not case.not_in_latest_extract
        )


def _existing_by_reference() -> dict[str, CaseFile]:
    return {case.case_reference.lower(): case for case in CaseFile.objects.all()}


@transaction.atomic
def caseload_import(
    *, text: str, full_extract: bool, actor: User | None, today: datetime.date | None = None
) -> CaseloadResult:
    """Check the file and, only if it is clean, create and update case files in one transaction.

    Raises :class:`CaseloadRefused` (nothing written) when the file has any problem.
    """
    check = caseload_check(text=text, full_extract=full_extract, today=today)
    if not check.ok:
        raise CaseloadRefused(check)
    existing = _existing_by_reference()
    to_create: list[CaseFile] = []
    to_update: list[CaseFile] = []
    for row in check.rows:
        current = existing.get(str(row["case_reference"]).lower())
        if current is None:
            to_create.append(CaseFile(**row))
            continue
        changed = [name for name in UPDATABLE_FIELDS if getattr(current, name) != row[name]]
        if changed:
            for name in changed:
                setattr(current, name, row[name])
            to_update.append(current)
    flagged: list[CaseFile] = []
    if full_extract:
        in_file = {str(row["case_reference"]).lower() for row in check.rows}
        for ref, case in existing.items():
            if ref not in in_file and case.closed_on is None and not case.not_in_latest_extract:
                case.not_in_latest_extract = True
                flagged.append(case)
    # History rows record who made each change (bulk paths write none by themselves).
    if to_create:
        bulk_create_with_history(to_create, CaseFile, batch_size=BATCH_SIZE, default_user=actor)
    if to_update:
        bulk_update_with_history(to_update, CaseFile, list(UPDATABLE_FIELDS), batch_size=BATCH_SIZE, default_user=actor)
    if flagged:
        bulk_update_with_history(
            flagged, CaseFile, ["not_in_latest_extract"], batch_size=BATCH_SIZE, default_user=actor
        )
    warned_rows = {w.row for w in check.warnings if w.row > 1}
    return CaseloadResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=check.unchanged,
        warned=len(warned_rows),
        flagged=len(flagged),
    )
