"""One renderer for the highlight reports, on screen and in the PDF (DESIGN section 8).

Every report kind's builder returns the same plain-JSON *report context* (see
``clinics.report_kinds``); the report page, the preview, the Celery job and the ``render_report``
command all draw it here, so what the author previews is what the board reads.

The body is sections of blocks with the author's narrative boxes after the section each belongs
to. With ``tables_in_appendix`` (offered when a report runs over three sides) every data table and
every chart's table of figures moves to a numbered "Appendix: data tables" at the end, and a line
"See table N in the appendix." stays where it was, so the narrative pages stay short without
losing a figure.

All text — the builders' and the author's — goes through the template engine and is escaped, so a
``<img src="file:///etc/passwd">`` typed into a box is printed, never fetched (and
``core.pdf``'s fetcher would refuse it anyway).
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zlib
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

APPENDIX_HEADING = "Appendix: data tables"
NO_FIGURE = "–"
# A chart of up to this many months gets its table across the page (months as columns).
WIDE_TABLE_MONTHS = 13


# --- cells and tables --------------------------------------------------------------------------
def _cell_text(value: Any, unit: str = "") -> str:
    """A table cell as people read it: None as "–", thousands separated, at most two decimals."""
    if value is None or value == "":
        return NO_FIGURE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        from core.charts import format_value

        return format_value(value, unit)
    return str(value)


def _table(
    caption: str, columns: list[dict[str, Any]], rows: list[list[Any]], *, units: list[str] | None = None
) -> dict[str, Any]:
    """A table ready for the template: header cells and rows of ``(text, numeric)``; the first
    column is the row header when it is not a number."""
    numeric = [bool(c.get("numeric")) for c in columns]
    units = units or [""] * len(columns)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            is_numeric = numeric[index] if index < len(numeric) else isinstance(value, int | float)
            unit = units[index] if index < len(units) else ""
            cells.append({"text": _cell_text(value, unit), "numeric": is_numeric})
        body.append(cells)
    return {
        "caption": caption,
        "columns": [{"label": c.get("label", ""), "numeric": n} for c, n in zip(columns, numeric, strict=False)],
        "rows": body,
        "row_headers": bool(columns) and not numeric[0],
        "number": None,
    }


def _month(text: str) -> datetime.date:
    year, month = text.split("-")[:2]
    return datetime.date(int(year), int(month), 1)


def _chart(block: dict[str, Any], *, for_pdf: bool) -> dict[str, Any]:
    """The chart's image (the dashboards' SVG helper) and its table of figures, one row a month."""
    from core.charts import line_chart

    unit = block.get("unit", "") or ""
    series = []
    months: set[str] = set()
    for line in block.get("series", []):
        points = [(str(month), value) for month, value in line.get("points", [])]
        months.update(month for month, _value in points)
        series.append((str(line.get("label", "")), [(_month(month), value) for month, value in points]))
    chart = line_chart(
        series,
        title=str(block.get("title", "")),
        y_label=str(block.get("y_label", "")),
        target=block.get("target"),
        unit=unit,
    )
    ordered = sorted(months)
    by_series = [dict(line.get("points", [])) for line in block.get("series", [])]
    labels = [str(line.get("label", "")) for line in block.get("series", [])]
    if len(ordered) <= WIDE_TABLE_MONTHS:
        # A year fits across the page: one row per line of the chart, a column per month, so the
        # table takes three lines under its chart instead of a third of a page.
        columns = [{"label": "Measure", "numeric": False}] + [
            {"label": f"{_month(m):%b %Y}", "numeric": True} for m in ordered
        ]
        rows = [[label, *(values.get(m) for m in ordered)] for label, values in zip(labels, by_series, strict=True)]
        if block.get("target") is not None:
            rows.append(["Target", *([block["target"]] * len(ordered))])
    else:
        columns = [{"label": "Month", "numeric": False}] + [{"label": label, "numeric": True} for label in labels]
        rows = [[f"{_month(m):%B %Y}"] + [values.get(m) for values in by_series] for m in ordered]
        if block.get("target") is not None:
            columns.append({"label": "Target", "numeric": True})
            rows = [[*row, block["target"]] for row in rows]
    table = _table(
        f"{block.get('title', '')}: figures by month",
        columns,
        rows,
        units=[""] + [unit] * (len(columns) - 1),
    )
    table["wide"] = len(ordered) <= WIDE_TABLE_MONTHS
    return {
        "type": "chart",
        "title": block.get("title", ""),
        "src": chart.data_uri,
        "alt": block.get("alt") or chart.alt,
        "table": table,
    }


# --- the body ----------------------------------------------------------------------------------
def _boxes_by_section(kind: str, section_keys: list[str]) -> dict[str | None, list[Any]]:
    """Each narrative box under the section it follows (the last section if its key is absent)."""
    from clinics.report_kinds import KINDS

    spec = KINDS.get(kind)
    placed: dict[str | None, list[Any]] = {}
    last = section_keys[-1] if section_keys else None
    for box in spec.boxes if spec else ():
        placed.setdefault(box.after if box.after in section_keys else last, []).append(box)
    return placed


def report_parts(
    *, context: dict[str, Any], narrative: dict[str, Any], tables_in_appendix: bool, for_pdf: bool = False
) -> dict[str, Any]:
    """The report body as template data: sections (blocks and boxes) and the appendix tables."""
    sections_in = context.get("sections") or []
    keys = [str(s.get("key", "")) for s in sections_in]
    boxes = _boxes_by_section(str(context.get("kind", "")), keys)
    appendix: list[dict[str, Any]] = []

    def moved(table: dict[str, Any]) -> dict[str, Any]:
        appendix.append(table)
        table["number"] = len(appendix)
        return {"type": "see", "number": table["number"], "caption": table["caption"]}

    sections = []
    for section, key in zip(sections_in, keys, strict=True):
        blocks = []
        for block in section.get("blocks") or []:
            kind = block.get("type")
            if kind == "table":
                table = _table(str(block.get("caption", "")), block.get("columns") or [], block.get("rows") or [])
                if tables_in_appendix and block.get("data"):
                    blocks.append(moved(table))
                else:
                    blocks.append({"type": "table", "table": table})
            elif kind == "chart":
                chart = _chart(block, for_pdf=for_pdf)
                if tables_in_appendix:
                    chart["see"] = moved(chart.pop("table"))
                blocks.append(chart)
            elif kind == "list":
                blocks.append({"type": "list", "items": [str(i) for i in block.get("items") or []]})
            elif kind in ("paragraph", "missing"):
                blocks.append({"type": kind, "text": str(block.get("text", ""))})
        section_boxes = [
            {"key": box.key, "label": box.label, "text": str(narrative.get(box.key) or "").strip()}
            for box in boxes.get(key, [])
        ]
        sections.append(
            {
                "key": key,
                "heading": section.get("heading", ""),
                "intro": section.get("intro", ""),
                "blocks": blocks,
                "boxes": section_boxes,
            }
        )
    # A kind with no sections still shows its boxes.
    orphan_boxes = [
        {"key": box.key, "label": box.label, "text": str(narrative.get(box.key) or "").strip()}
        for box in boxes.get(None, [])
    ]
    return {"sections": sections, "orphan_boxes": orphan_boxes, "appendix": appendix}


def report_body_html(
    *,
    context: dict[str, Any],
    narrative: dict[str, Any],
    tables_in_appendix: bool,
    for_pdf: bool = False,
    draft: bool = True,
) -> SafeString:
    """The report's sections, narrative boxes and (if asked) appendix as HTML, for a page or the
    PDF. ``draft`` decides what an empty box says ("Not written yet" while it can still be
    written)."""
    parts = report_parts(
        context=context, narrative=narrative or {}, tables_in_appendix=tables_in_appendix, for_pdf=for_pdf
    )
    html = render_to_string(
        "reports/_body.html",
        {**parts, "for_pdf": for_pdf, "draft": draft, "appendix_heading": APPENDIX_HEADING},
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped every value


# --- the PDF -----------------------------------------------------------------------------------
def css_string(text: str) -> str:
    """``text`` as a CSS string literal for ``@page`` margin boxes: every character that is not a
    plain letter, digit or space is hex-escaped, so nothing typed can end the string or the
    ``<style>`` element."""
    out = []
    for char in str(text):
        if char.isascii() and (char.isalnum() or char == " "):
            out.append(char)
        else:
            # A whitespace after an escape is part of it (CSS Syntax 4.3.7): always write one.
            out.append(f"\\{ord(char):06x} ")
    return '"' + "".join(out) + '"'


_STREAM = re.compile(rb"<<(?:(?!>>).)*?/FlateDecode(?:(?!stream).)*?>>\s*stream\r?\n", re.S)
_PAGES_COUNT = re.compile(
    rb"/Type\s*/Pages\b(?:(?!endobj|>>).)*?/Count\s+(\d+)|/Count\s+(\d+)(?:(?!<<|>>).)*?/Type\s*/Pages\b", re.S
)


def pdf_page_count(pdf: bytes) -> int:
    """The number of pages, read from the page tree's ``/Count``. WeasyPrint keeps it in a
    compressed object stream; inflating the streams and searching them takes a few milliseconds,
    where pypdf parses every object of the structure tree first (about 160 ms a report)."""
    found = _PAGES_COUNT.search(pdf)
    if found:
        return int(found.group(1) or found.group(2))
    for match in _STREAM.finditer(pdf):
        try:
            data = zlib.decompressobj().decompress(pdf[match.end() :])
        except zlib.error:
            continue
        found = _PAGES_COUNT.search(data)
        if found:
            return int(found.group(1) or found.group(2))
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_report_pdf(
    *,
    context: dict[str, Any],
    narrative: dict[str, Any],
    tables_in_appendix: bool,
    author_name: str,
    status: str,
    finalised_at: datetime.datetime | None,
) -> tuple[bytes, int]:
    """The report as an A4 tagged PDF (``core.pdf.render_pdf``) and its number of pages.

    ``status`` is "draft" or "final"; a draft says DRAFT on every page.
    """
    from core.pdf import render_pdf

    draft = status != "final"
    body = report_body_html(
        context=context, narrative=narrative or {}, tables_in_appendix=tables_in_appendix, for_pdf=True, draft=draft
    )
    title = str(context.get("title") or "Highlight report")
    scope_label = str(context.get("scope_label", ""))
    period_label = str(context.get("period_label", ""))
    if finalised_at is not None and timezone.is_aware(finalised_at):
        finalised_at = timezone.localtime(finalised_at)
    author = author_name or "Not recorded"
    header_right = f"{scope_label}, {period_label}"
    footer_left = f"{'DRAFT, not finalised' if draft else 'Finalised'}. Author: {author}"
    pdf = render_pdf(
        "reports/pdf.html",
        {
            "body": body,
            "report": context,
            "draft": draft,
            "author_name": author,
            "finalised_at": finalised_at,
            "scope_label": scope_label,
            "period_label": period_label,
            "css_authority": mark_safe(css_string(settings.AUTHORITY_NAME)),  # noqa: S308 - hex-escaped
            "css_title": mark_safe(css_string(title)),  # noqa: S308 - hex-escaped
            "css_scope": mark_safe(css_string(header_right)),  # noqa: S308 - hex-escaped
            "css_footer": mark_safe(css_string(footer_left)),  # noqa: S308 - hex-escaped
        },
        title=f"{title}: {scope_label}, {period_label}" + (" (draft)" if draft else ""),
    )
    return pdf, pdf_page_count(pdf)


_KIND_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return _KIND_SLUG.sub("-", ascii_text).strip("-")[:60] or "report"


def report_file_name(context: dict[str, Any], *, version_number: int | None) -> str:
    """A safe ASCII file name: ``team-clinic_fd-east_2026-10_v1.pdf``, or ``..._draft.pdf``."""
    scope_key = str(context.get("scope_key", "")) or "authority"
    code = scope_key.split(":", 1)[-1]
    suffix = "draft" if version_number is None else f"v{int(version_number)}"
    return f"{_slug(context.get('kind', 'report'))}_{_slug(code)}_{_slug(context.get('period', ''))}_{suffix}.pdf"
