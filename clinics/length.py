"""How long a highlight report will print: words per box and expected sides of A4.

The framework asks for reports of about three sides of A4 (DESIGN section 8). The author sees the
estimate as they write and a warning above three sides; nothing is ever blocked by it.

One formula, in "sides" (a side is one A4 page of the PDF body):

* prose — the narrative boxes and the context's paragraphs, lists and "missing" notes — at
  ``WORDS_PER_SIDE`` words a side (a paragraph's spacing as ``PARAGRAPH_SIDES``, a list item's as
  ``LIST_ITEM_SIDES``);
* tables in *row units*, ``ROWS_PER_SIDE`` a side: the caption and header row are two units
  (three when five or more columns make the headers wrap); each row is one unit plus one for
  every extra line its first cell wraps to (a label column of about 60 characters in a table of
  two columns, 30 with three to five, 22 with six or more);
* a chart as ``CHART_SIDES`` of a side plus its table of points (one row a month);
* each heading (a section, a narrative box) as ``HEADING_SIDES``, and the title block as
  ``TITLE_SIDES``.

With ``tables_in_appendix`` the tables marked ``data: true`` and every chart's table of figures
move to the appendix (as ``qaframework.report_render`` does), leaving a one-line "see table N"
(``SEE_LINE_SIDES``) in the body; the charts themselves stay. The body is "over" when it needs
more than ``MAX_SIDES`` whole sides, i.e. when its estimate is above three.

Calibration (26 November 2026): the constants were fitted against 23 PDFs from
``qaframework.report_render.render_report_pdf`` (WeasyPrint 70, Liberation Sans, A4), pages
counted with pypdf — the 14 finalised reports of a ``seed_demo --size tiny`` authority (every
kind; 1 to 10 pages) and 9 synthetic contexts (700 to 2,100 words of prose; 4 and 8 tables of 30
rows; 3 and 6 charts; a mix). The estimate's whole sides equal the PDF's pages for all 23 bodies
(the earlier constant-row formula was a page short on 6 of them: wrapped labels in the
indicator tables). With the tables in the appendix, whole sides of body plus appendix were
never fewer than the PDF's pages and at most one more, bar one report (two more): rounding the
body and the appendix up separately errs long. Re-fit if the renderer's styles change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

WORDS_PER_SIDE = 700
ROWS_PER_SIDE = 44
CHART_SIDES = 0.4
HEADING_SIDES = 0.04
TITLE_SIDES = 0.12
PARAGRAPH_SIDES = 0.02
LIST_ITEM_SIDES = 0.01
SEE_LINE_SIDES = 0.015
MAX_SIDES = 3
# Characters of a table's first (label) column per line, by the table's number of columns.
LABEL_CHARS = ((2, 60), (5, 30))
LABEL_CHARS_MANY = 22

_WORD = re.compile(r"\S+")


def count_words(text: str | None) -> int:
    """Words as a reader counts them: runs of non-space characters (the same rule as the page's script)."""
    return len(_WORD.findall(text or ""))


@dataclass(frozen=True)
class Length:
    words_per_box: dict[str, int] = field(default_factory=dict)
    total_words: int = 0
    body_sides: float = 0.0
    appendix_sides: float = 0.0

    @property
    def sides(self) -> int:
        """Whole sides of A4 the body is expected to print on (at least one)."""
        return max(1, math.ceil(round(self.body_sides, 2)))

    @property
    def appendix_pages(self) -> int:
        return math.ceil(round(self.appendix_sides, 2)) if self.appendix_sides else 0

    @property
    def over(self) -> bool:
        return self.sides > MAX_SIDES

    def as_json(self) -> dict[str, Any]:
        return {
            "words": self.words_per_box,
            "total_words": self.total_words,
            "body_sides": round(self.body_sides, 2),
            "appendix_sides": round(self.appendix_sides, 2),
            "sides": self.sides,
            "appendix_pages": self.appendix_pages,
            "over": self.over,
            "max_sides": MAX_SIDES,
        }


def _label_chars(columns: int) -> int:
    for most, chars in LABEL_CHARS:
        if columns <= most:
            return chars
    return LABEL_CHARS_MANY


def _table_sides(block: dict[str, Any]) -> float:
    """A table's sides: caption and header, then each row with its wrapped label lines."""
    columns = len(block.get("columns", [])) or 2
    chars = _label_chars(columns)
    units = 3 if columns >= 5 else 2
    for row in block.get("rows", []):
        label = str(row[0]) if row else ""
        units += max(1, math.ceil(len(label) / chars))
    return units / ROWS_PER_SIDE


def _block_sides(block: dict[str, Any]) -> tuple[float, float]:
    """(sides that always stay in the body, sides of a table that may move to the appendix)."""
    kind = block.get("type")
    if kind in ("paragraph", "missing"):
        return count_words(block.get("text")) / WORDS_PER_SIDE + PARAGRAPH_SIDES, 0.0
    if kind == "list":
        items = block.get("items", [])
        return sum(count_words(str(item)) for item in items) / WORDS_PER_SIDE + LIST_ITEM_SIDES * len(items), 0.0
    if kind == "table":
        sides = _table_sides(block)
        return (0.0, sides) if block.get("data") else (sides, 0.0)
    if kind == "chart":
        months = {point[0] for series in block.get("series", []) for point in series.get("points", [])}
        return CHART_SIDES, (len(months) + 3) / ROWS_PER_SIDE
    return 0.0, 0.0


def estimate(*, context: dict[str, Any], narrative: dict[str, str], tables_in_appendix: bool) -> Length:
    """The expected length of a report with this context and narrative (see the module docstring)."""
    from .report_kinds import KINDS

    spec = KINDS.get(context.get("kind", ""))
    box_keys = [box.key for box in spec.boxes] if spec else list(narrative)
    words = {key: count_words(narrative.get(key, "")) for key in box_keys}
    body = TITLE_SIDES
    appendix = 0.0
    for section in context.get("sections", []):
        body += HEADING_SIDES + count_words(section.get("intro")) / WORDS_PER_SIDE
        for block in section.get("blocks", []):
            fixed, movable = _block_sides(block)
            body += fixed
            if movable and tables_in_appendix:
                # The table goes; a line "See table N in the appendix." stays.
                appendix += movable
                body += SEE_LINE_SIDES
            else:
                body += movable
    written = [key for key in box_keys if words[key]]
    body += len(written) * HEADING_SIDES + sum(words.values()) / WORDS_PER_SIDE
    if appendix:
        appendix += HEADING_SIDES
    return Length(words_per_box=words, total_words=sum(words.values()), body_sides=body, appendix_sides=appendix)
