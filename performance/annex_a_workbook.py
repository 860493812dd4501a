"""A generator of fictional Annex A workbooks (lists 1–9), for the demo, the tests and the benchmark.

Synthetic only (DESIGN section 10): child IDs, workers and dates are invented. The workbook looks
like a local authority's Annex A return, personal columns included (sex, ethnicity, date of
birth…), so the import's "keep only what the estimates use" is visible.

History is generated month by month from ``random.Random(f"{seed}:{YYYY-MM}")``, whatever the
workbook's date, so two workbooks made with the same seed and volume but different dates tell the
same story: the older one shows a plan or an episode in care still open, the newer one shows it
ended. That is what makes the import's merge of overlapping workbooks demonstrable. A workbook
shows the events of its ``months`` months up to ``today`` (plans, episodes in need and in care
open at any time in them), and no date after ``today``.

The bytes are deterministic: the same arguments give the same file (and so the same SHA-256),
which keeps the demo's import idempotent.

The .xlsx is written directly (inline strings, dates as serial numbers with a date format) rather
than through openpyxl: openpyxl's write-only mode measured 30–65 µs a cell here, so the
benchmark's 200,000-row workbook took about 100 s and the demo's two workbooks about 5 s (its
budget is 2 s). The tests check that openpyxl and python-calamine read what is written.
"""

from __future__ import annotations

import calendar
import datetime
import io
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from audits.agreement import months_between

from .estimates import add_months, month_start

# About this many rows per child's journey in the window (calibrated on the generator itself).
ROWS_PER_JOURNEY = 3.15
# Children recur: each month's journeys draw from a pool this many months' worth in size, so some
# children are referred again within 12 months (a re-referral rate of about a fifth).
CHILD_POOL_MONTHS = 40
# Plans and episodes in care open in the window may have started up to this long before it.
LOOKBACK_MONTHS = 36
DEFAULT_TEAMS = ("team-1", "team-2", "team-3", "team-4", "team-5", "team-6")

SHEETS = {
    1: "List 1 - Contacts",
    2: "List 2 - Early Help",
    3: "List 3 - Referrals",
    4: "List 4 - Assessments",
    5: "List 5 - Section 47",
    6: "List 6 - Children in Need",
    7: "List 7 - Child Protection",
    8: "List 8 - Children in Care",
    9: "List 9 - Care Leavers",
}
PERSON = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Disability")
HEADERS = {
    1: (*PERSON, "Date of Contact", "Contact Source"),
    2: (*PERSON, "Assessment Start Date", "Assessment Completion Date", "Organisation Completing Assessment"),
    3: (*PERSON, "Date of Referral", "Referral Source", "Referral NFA?", "Allocated Team", "Allocated Worker"),
    4: (
        *PERSON,
        "Continuous Assessment Start Date",
        "Continuous Assessment Date of Authorisation",
        "Allocated Team",
        "Allocated Worker",
    ),
    5: (
        *PERSON,
        "Strategy Discussion Initiating Section 47 Enquiry Start Date",
        "Date of Initial Child Protection Conference",
        "Did the ICPC Result in a Child Protection Plan",
        "Allocated Team",
        "Allocated Worker",
    ),
    6: (*PERSON, "CIN Start Date", "Primary Need Code", "Case Closure Date", "Reason for Closure", "Allocated Team"),
    7: (
        *PERSON,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Number of Previous Child Protection Plans",
        "Child Protection Plan End Date",
        "Reason CP Plan Ended",
        "Allocated Team",
        "Allocated Worker",
    ),
    8: (
        *PERSON,
        "Date Started to be Looked After",
        "Category of Need",
        "Legal Status",
        "Date Ceased to be Looked After",
        "Reason for Ceasing",
        "Allocated Team",
    ),
    9: (*PERSON, "Date Ceased to be Looked After", "In Touch", "Activity", "Accommodation"),
}
GENDERS = ("Male", "Female", "Female", "Male", "Unknown")
ETHNICITIES = ("WBRI", "WOTH", "MWBC", "ASIN", "BCRB", "CHNE", "OOTH", "WIRI")
CONTACT_SOURCES = ("1A Individual", "2A Health", "3A School", "5A Police", "6 Other LA")
NEED_CODES = ("N1", "N1", "N1", "N2", "N3", "N4", "N5", "N6", "N8")
CP_CATEGORIES = ("Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple")
PLAN_END_REASONS = ("Step down to CIN", "Step down to CIN", "Step down to early help", "Child looked after", "Moved")
CEASED_REASONS = ("E11", "E12", "E13", "E41", "E45", "E4A", "E4A")
LEGAL_STATUSES = ("C2", "C2", "V2", "J2", "L1")


@dataclass
class _Sheets:
    """The rows of each list for one workbook, and the (list, child, date) keys already written."""

    window_start: datetime.date
    today: datetime.date
    rows: dict[int, list[list[object]]] = field(default_factory=lambda: {n: [] for n in SHEETS})
    seen: set[tuple[int, str, datetime.date]] = field(default_factory=set)

    def in_window(self, day: datetime.date | None) -> bool:
        return day is not None and self.window_start <= day <= self.today

    def open_in_window(self, start: datetime.date, end: datetime.date | None) -> bool:
        return start <= self.today and (end is None or end > self.today or end >= self.window_start)

    def shown(self, day: datetime.date | None) -> datetime.date | None:
        """A date the workbook can know: none after its own date."""
        return day if day is not None and day <= self.today else None

    def add(self, number: int, child: str, day: datetime.date, row: list[object]) -> None:
        # Two journeys of one child rarely land on one date; Annex A holds one row per event.
        if (number, child, day) not in self.seen:
            self.seen.add((number, child, day))
            self.rows[number].append(row)


def _person(index: int, child: str, on: datetime.date) -> list[object]:
    born = datetime.date(2008, 1, 1) + datetime.timedelta(days=(index * 7919) % 6400)
    age = max(0, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))
    return [child, GENDERS[index % 5], ETHNICITIES[index % 8], born, age, "Yes" if index % 11 == 0 else "No"]


def _days(start: datetime.date, n: float) -> datetime.date:
    return start + datetime.timedelta(days=int(n))


def _journey(
    rng: random.Random, month: datetime.date, out: _Sheets, *, pool: int, teams: Sequence[str], refs: Sequence[str]
) -> None:
    """One child's way through the system from a contact in ``month``. Every journey draws the same
    number of random values, so what one journey does never shifts the next."""
    index = rng.randrange(pool)
    # Even-numbered children take the case references in turn (their events match case files);
    # the others never do, so some episodes are always left for the QA team to add.
    child = refs[index // 2] if index % 2 == 0 and index // 2 < len(refs) else f"NX{index:07d}"
    team = rng.choice(teams)
    worker = f"SW{index % 89:03d}"
    u = [rng.random() for _ in range(24)]
    contact = _days(month, u[0] * calendar.monthrange(month.year, month.month)[1])
    person = _person(index, child, contact)
    if out.in_window(contact):
        out.add(1, child, contact, [*person, contact, CONTACT_SOURCES[int(u[1] * 5)]])
    if u[2] < 0.22:
        start = _days(contact, u[3] * 10)
        end = out.shown(_days(start, 20 + u[4] * 180))
        if out.in_window(start):
            out.add(2, child, start, [*person, start, end, "Early Help Hub"])
        return
    if u[2] >= 0.78:
        return
    referral = _days(contact, u[3] * 3)
    nfa = u[4] < 0.12
    if out.in_window(referral):
        out.add(
            3, child, referral, [*person, referral, CONTACT_SOURCES[int(u[1] * 5)], "Y" if nfa else "N", team, worker]
        )
    if nfa or u[5] >= 0.92:
        return
    started = _days(referral, u[6] * 3)
    authorised = _days(started, 5 + u[7] * 70)
    if started <= out.today and (out.in_window(started) or out.in_window(authorised)):
        out.add(4, child, started, [*person, started, out.shown(authorised), team, worker])
    closed_after_assessment = u[8] < 0.45
    closure = authorised if closed_after_assessment else _days(authorised, 60 + u[9] * 500)
    reason = ("RC9" if u[10] < 0.3 else "RC8") if closed_after_assessment else "RC7"
    if out.open_in_window(referral, closure):
        shown = out.shown(closure)
        out.add(
            6, child, referral, [*person, referral, NEED_CODES[int(u[11] * 9)], shown, reason if shown else None, team]
        )
    if closed_after_assessment:
        return
    if u[12] < 0.45:
        s47 = _days(started, u[13] * 10)
        icpc = _days(s47, 5 + u[14] * 12) if u[15] < 0.6 else None
        to_plan = icpc is not None and u[16] < 0.8
        if out.in_window(s47):
            icpc_shown = out.shown(icpc)
            outcome = ("Y" if to_plan else "N") if icpc_shown else None
            out.add(5, child, s47, [*person, s47, icpc_shown, outcome, team, worker])
        if to_plan and icpc is not None:
            plan_end = _days(icpc, 90 + u[17] * 500)
            if out.open_in_window(icpc, plan_end):
                shown = out.shown(plan_end)
                previous = 1 if u[18] < 0.2 else 0
                category = CP_CATEGORIES[int(u[19] * 5)]
                why = PLAN_END_REASONS[int(u[20] * 5)] if shown else None
                out.add(7, child, icpc, [*person, icpc, category, previous, shown, why, team, worker])
    if u[21] < 0.12:
        into_care = _days(authorised, u[22] * 120)
        left = _days(into_care, 60 + u[23] * 940)
        if out.open_in_window(into_care, left):
            shown = out.shown(left)
            why = CEASED_REASONS[int(u[19] * 7)] if shown else None
            need = NEED_CODES[int(u[11] * 9)]
            out.add(8, child, into_care, [*person, into_care, need, LEGAL_STATUSES[int(u[20] * 5)], shown, why, team])
            if out.in_window(shown) and age_at(person, shown) >= 16:
                out.add(9, child, shown, [*person, shown, "Yes", "Education", "Independent living"])


def age_at(person: list[object], day: datetime.date) -> int:
    born = person[3]
    assert isinstance(born, datetime.date)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- the .xlsx ------------------------------------------------------------------------------------------
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Style 1 is the built-in short date format (14): the cell is a date to Excel and to readers.
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Arial"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _sheet_xml(rows: list[list[object]]) -> str:
    width = max((len(row) for row in rows), default=0)
    columns = [get_column_letter(i + 1) for i in range(width)]
    body = [f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{columns[i]}{number}", value) for i, value in enumerate(row))
        body.append(f'<row r="{number}">{cells}</row>')
    body.append("</sheetData></worksheet>")
    return "".join(body)


def xlsx_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    """A minimal .xlsx of named sheets of rows (text, numbers, dates, blanks), always the same
    bytes for the same rows (fixed zip timestamps, no document dates)."""
    count = len(sheets)
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    parts = {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{types}</Types>"
        ),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                for n, (name, _) in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            + f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }
    for n, (_, rows) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = _sheet_xml(rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def annex_a_workbook_bytes(
    *,
    rows: int,
    today: datetime.date,
    seed: str,
    months: int = 12,
    team_codes: Sequence[str] = DEFAULT_TEAMS,
    case_references: Sequence[str] = (),
) -> bytes:
    """An .xlsx Annex A workbook of about ``rows`` rows (lists 1–9) covering ``months`` months up
    to ``today``. Half the children take ``case_references`` as their child IDs, while they last
    (so their events match case files); the others get "NX…" IDs."""
    volume = max(1, round(rows / (months * ROWS_PER_JOURNEY)))
    pool = volume * CHILD_POOL_MONTHS
    teams = list(team_codes) or list(DEFAULT_TEAMS)
    window_start = add_months(month_start(today), 1 - months)
    out = _Sheets(window_start=window_start, today=today)
    for month in months_between(add_months(window_start, -LOOKBACK_MONTHS), today):
        rng = random.Random(f"{seed}:{month:%Y-%m}")
        for _ in range(volume):
            _journey(rng, month, out, pool=pool, teams=teams, refs=case_references)
    sheets = [
        (title, [list(HEADERS[number]), *sorted(out.rows[number], key=lambda r: (r[6], str(r[0])))])
        for number, title in SHEETS.items()
    ]
    return xlsx_bytes(sheets)
