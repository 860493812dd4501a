"""The highlight-report renderer and its PDF (qaframework.report_render): what the reader gets.

Contexts are built by hand here (the schema in clinics.report_kinds), so these tests check the
renderer and not the builders' data; one test renders a context from the team clinic builder.
"""

from __future__ import annotations

import datetime
import http.server
import io
import socket
import threading
from typing import Any

from pypdf import PdfReader

from clinics.models import HighlightReport, ReportKind, ReportVersion
from clinics.report_kinds import KINDS
from qaframework.report_render import css_string, render_report_pdf, report_body_html, report_file_name

PERIOD = datetime.date(2026, 10, 1)
HOSTILE = 'file:///etc/passwd http://127.0.0.1:{port}/x.png <img src="http://127.0.0.1:{port}/y.png">'


def hand_context(*, rows: int = 2, text: str = "Contacts rose this month.", scope_code: str = "fd-east") -> dict:
    """A small report context following the schema: a data table, a chart, a missing block."""
    extra = [[f"Measure {i}", i, i + 0.5] for i in range(rows - 2)] if rows > 2 else []
    return {
        "kind": ReportKind.TEAM_CLINIC,
        "title": "Team manager's practice and performance clinic highlight report",
        "scope_key": f"team:{scope_code}",
        "scope_label": "Front Door East (Front Door)",
        "period": "2026-10",
        "period_label": "October 2026",
        "generated_on": "2026-11-26",
        "sections": [
            {
                "key": "performance",
                "heading": "Performance",
                "intro": "The team's baskets against England.",
                "blocks": [
                    {"type": "paragraph", "text": text},
                    {
                        "type": "table",
                        "caption": "Key figures",
                        "data": True,
                        "columns": [
                            {"label": "Measure", "numeric": False},
                            {"label": "This month", "numeric": True},
                            {"label": "England", "numeric": True},
                        ],
                        "rows": [
                            ["Re-referrals within 12 months (%)", 21.5, 22.7],
                            ["Assessments in 45 days", 1234, None],
                            *extra,
                        ],
                    },
                    {
                        "type": "chart",
                        "title": "Re-referrals",
                        "unit": "%",
                        "y_label": "Per cent",
                        "target": 20,
                        "alt": "",
                        "series": [
                            {"label": "Front Door East", "points": [[f"2026-{m:02d}", 18 + m] for m in range(5, 11)]}
                        ],
                    },
                ],
            },
            {
                "key": "learning",
                "heading": "Quality of practice",
                "blocks": [
                    {"type": "missing", "text": "No audits were completed for this team in October 2026."},
                    {
                        "type": "table",
                        "caption": "Audit actions",
                        "data": False,
                        "columns": [{"label": "Status", "numeric": False}, {"label": "Actions", "numeric": True}],
                        "rows": [["Overdue", 3]],
                    },
                ],
            },
            {
                "key": "voice",
                "heading": "Voice of children and families",
                "blocks": [{"type": "list", "items": ["Families said they felt heard."]}],
            },
        ],
    }


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the body -------------------------------------------------------------------------------------
def test_the_body_puts_each_box_after_its_section_and_says_plainly_what_is_missing():
    html = report_body_html(
        context=hand_context(),
        narrative={"performance": "Line one\nLine two <b>bold?</b>", "voice": ""},
        tables_in_appendix=False,
    )
    # "What the figures tell us" (after performance) comes before the next section's heading.
    assert html.index("Performance") < html.index("What the figures tell us") < html.index("Quality of practice")
    assert "Line one<br>Line two &lt;b&gt;bold?&lt;/b&gt;" in html
    # An empty box in a draft says so; the summary boxes (after a missing "summary" section) come last.
    assert "Not written yet." in html
    assert html.index("What needs to happen next") > html.index("Voice of children and families")
    assert "No audits were completed for this team in October 2026." in html
    assert 'class="govuk-inset-text report-missing"' in html


def test_tables_have_captions_header_scopes_right_aligned_numbers_and_a_dash_for_no_figure():
    html = report_body_html(context=hand_context(), narrative={}, tables_in_appendix=False)
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Key figures</caption>' in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">This month</th>' in html
    assert '<th scope="row" class="govuk-table__header">Assessments in 45 days</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1,234</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">–</td>' in html
    # The chart: an SVG data URI with alternative text, then its table of figures by month.
    assert '<img src="data:image/svg+xml;base64,' in html
    assert 'alt="Line chart of Re-referrals, May 2026 to October 2026.' in html
    assert "Re-referrals: figures by month" in html
    # Up to a year of months fits across the page: a column per month, a row per line.
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Oct 2026</th>' in html
    assert '<th scope="row" class="govuk-table__header">Front Door East</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">28%</td>' in html


def test_with_tables_in_the_appendix_data_tables_and_chart_figures_move_and_are_numbered():
    html = report_body_html(context=hand_context(), narrative={}, tables_in_appendix=True)
    appendix = html.index("Appendix: data tables")
    assert "Key figures. See table 1 in the appendix." in html[:appendix]
    assert "Re-referrals: figures by month. See table 2 in the appendix." in html[:appendix]
    assert "Table 1: Key figures" in html[appendix:]
    assert "Table 2: Re-referrals: figures by month" in html[appendix:]
    # The chart stays where it was; a table that is not a data table stays too.
    assert html.index('<img src="data:image/svg+xml') < appendix
    assert html.index("Audit actions") < appendix
    assert "Audit actions" not in html[appendix:]


def test_a_final_report_does_not_invite_writing_in_an_empty_box():
    html = report_body_html(context=hand_context(), narrative={}, tables_in_appendix=False, draft=False)
    assert "Not written yet" not in html
    assert "Nothing written." in html


def test_file_names_are_safe_ascii():
    assert report_file_name(hand_context(), version_number=1) == "team-clinic_fd-east_2026-10_v1.pdf"
    assert report_file_name(hand_context(), version_number=None) == "team-clinic_fd-east_2026-10_draft.pdf"
    weird = hand_context(scope_code='../"Bad"\r\nName é')
    assert report_file_name(weird, version_number=None) == "team-clinic_bad-name-e_2026-10_draft.pdf"
    assert report_file_name(
        {**hand_context(), "scope_key": "authority", "kind": "assurance-board"}, version_number=3
    ) == ("assurance-board_authority_2026-10_v3.pdf")


def test_css_strings_cannot_end_the_string_or_the_style_element():
    escaped = css_string('A "quote" </style><script>')
    assert escaped[0] == escaped[-1] == '"'
    assert '"' not in escaped[1:-1]
    assert "<" not in escaped
    assert ">" not in escaped


# --- the PDF --------------------------------------------------------------------------------------
def _render(context: dict, narrative: dict | None = None, **kwargs: Any) -> tuple[bytes, int]:
    options = {"tables_in_appendix": False, "author_name": "Sam Taylor", "status": "draft", "finalised_at": None}
    options.update(kwargs)
    return render_report_pdf(context=context, narrative=narrative or {}, **options)


def test_the_pdf_is_tagged_in_the_project_font_with_its_title_language_scope_period_and_figures():
    pdf, pages = _render(
        hand_context(),
        {"performance": "Referrals were steady."},
        status="final",
        finalised_at=datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC),
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert pages == len(reader.pages) >= 1
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title.startswith("Team manager's practice and performance clinic highlight report")
    assert "Front Door East" in reader.metadata.title
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all("Liberation" in f or "Arial" in f for f in fonts), fonts
    text = squash(pdf_text(pdf))
    assert "Front Door East (Front Door)" in text
    assert "October 2026" in text
    assert "Northmere Borough Council" in text or "Council" in text
    for figure in (
        "21.5",
        "22.7",
        "1,234",
        "Referrals were steady.",
        "Author Sam Taylor",
        "Finalised on 3 November 2026",
    ):
        assert figure in text, figure
    assert "Page 1 of" in text
    assert "DRAFT" not in text


def test_a_draft_says_draft_on_every_page():
    pdf, pages = _render(hand_context(rows=120))
    reader = PdfReader(io.BytesIO(pdf))
    assert pages >= 2
    assert all("DRAFT" in page.extract_text() for page in reader.pages)
    assert f"Page {pages} of {pages}" in pdf_text(pdf)


def test_a_long_table_repeats_its_header_on_the_next_page_without_repeating_rows():
    pdf, pages = _render(hand_context(rows=120))
    reader = PdfReader(io.BytesIO(pdf))
    assert pages >= 2
    first, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Measure This month England" in squash(first)
    assert "Measure This month England" in squash(second)
    # Every row printed once.
    text = pdf_text(pdf)
    assert text.count("Measure 57 ") + text.count("Measure 57\n") == 1


def test_the_appendix_is_in_the_pdf_when_asked_for():
    pdf, _pages = _render(hand_context(), tables_in_appendix=True)
    text = squash(pdf_text(pdf))
    assert "See table 1 in the appendix." in text
    assert "Appendix: data tables" in text
    assert "Table 1: Key figures" in text


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _image_and_form_xobjects(pdf: bytes) -> tuple[int, int]:
    images = forms = 0
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for xobject in xobjects.values():
            subtype = xobject.get_object()["/Subtype"]
            images += subtype == "/Image"
            forms += subtype == "/Form"
    return images, forms


def test_urls_and_markup_in_the_text_are_printed_and_never_fetched(monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    connections: list[Any] = []
    real_connect = socket.socket.connect

    def guard(self: socket.socket, address: Any) -> Any:
        connections.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    hostile = HOSTILE.format(port=port)
    context = hand_context(text=hostile)
    context["sections"][2]["blocks"][0]["items"].append(hostile)
    try:
        pdf, _pages = _render(context, {"performance": hostile, "working_well": hostile})
        plain, _ = _render(hand_context())
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []
    assert connections == []
    text = squash(pdf_text(pdf))
    assert "file:///etc/passwd" in text
    assert f'<img src="http://127.0.0.1:{port}/y.png">' in text
    # Nothing embedded beyond the one chart (drawn as vector graphics): no image at all, and no
    # more drawings than the report without the hostile text.
    assert _image_and_form_xobjects(pdf) == _image_and_form_xobjects(plain)
    assert _image_and_form_xobjects(pdf)[0] == 0
    assert b"root:x:0:0" not in pdf


# --- through the team clinic builder -----------------------------------------------------------------
def test_a_report_built_from_the_data_renders(world):
    context = KINDS[ReportKind.TEAM_CLINIC].build(world.team_a1, PERIOD)
    pdf, pages = _render(context, {"working_well": "The team kept every visit in time."})
    text = squash(pdf_text(pdf))
    assert pages >= 1
    assert world.team_a1.name in text
    assert "October 2026" in text
    assert "The team kept every visit in time." in text


def make_report(world: Any, *, team: Any = None, final: bool = False, narrative: dict | None = None) -> HighlightReport:
    """A team clinic report for October 2026 (a final one has version 1 with a hand context)."""
    from django.utils import timezone

    team = team or world.team_a1
    manager = world.people["team_manager_same"]
    report = HighlightReport.objects.create(
        kind=ReportKind.TEAM_CLINIC,
        scope_key=f"team:{team.code}",
        team=team,
        period=PERIOD,
        narrative=narrative or {"working_well": "Visits on time."},
        author=manager,
        status=HighlightReport.Status.FINAL if final else HighlightReport.Status.DRAFT,
    )
    if final:
        ReportVersion.objects.create(
            report=report,
            number=1,
            context=hand_context(scope_code=team.code),
            narrative=report.narrative,
            author_name=manager.full_name,
            finalised_by=manager,
            finalised_at=timezone.now(),
        )
    return report
