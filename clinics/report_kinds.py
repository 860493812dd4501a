"""The four highlight reports (DESIGN section 8, seed Appendices 5–7 and the practice-week summary).

Each kind has a context builder that reads the data for its scope and period and returns a
**report context**: plain JSON (so finalising can freeze it exactly as used), rendered by one set
of templates on screen and in the PDF.

Report context (what every builder returns)::

    {
      "kind": "team-clinic",
      "title": "Team manager's practice and performance clinic highlight report",
      "scope_key": "team:fd-east", "scope_label": "Front Door East (Front Door)",
      "period": "2026-10", "period_label": "October 2026",
      "generated_on": "2026-11-26",
      "sections": [
        {"key": "performance", "heading": "Performance", "intro": "optional sentence",
         "blocks": [BLOCK, ...]},
        ...
      ],
    }

A BLOCK is one of:

* ``{"type": "paragraph", "text": str}``
* ``{"type": "missing", "text": str}`` — an earlier part has no data for this scope and period:
  the report says so plainly, never a made-up figure;
* ``{"type": "list", "items": [str, ...]}``
* ``{"type": "table", "caption": str, "columns": [{"label": str, "numeric": bool}, ...],
  "rows": [[cell, ...], ...], "data": bool}`` — cells are str, int, float or None (shown as "–");
  ``data: true`` marks a data table the author may move to the appendix;
* ``{"type": "chart", "title": str, "unit": str, "y_label": str, "series": [{"label": str,
  "points": [["YYYY-MM", number or None], ...]}], "target": number or None, "alt": str}`` — drawn
  with ``core.charts.line_chart`` (the dashboards' helper) at render time, always followed by its
  table of points.

The narrative boxes the author writes are listed per kind below; each box is shown after the
section whose key is its ``after`` (the last section if that key is absent).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from .models import ReportKind


@dataclass(frozen=True)
class NarrativeBox:
    key: str
    label: str
    hint: str
    after: str  # section key


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    appendix: str  # the seed's appendix, for the page ("Appendix 5")
    level: str  # "team", "area" or "authority"
    builder: str  # "module:function", called as builder(place, period) -> dict
    boxes: tuple[NarrativeBox, ...]

    def build(self, place: Any, period: datetime.date) -> dict[str, Any]:
        module, name = self.builder.split(":")
        function: Callable[[Any, datetime.date], dict[str, Any]] = getattr(import_module(module), name)
        return function(place, period)


_SUMMARY_BOXES = (
    NarrativeBox(
        "working_well", "What is working well", "Strengths and the difference they make for children.", "summary"
    ),
    NarrativeBox(
        "worried_about", "What are we worried about", "Risks, gaps and what the figures do not yet tell us.", "summary"
    ),
    NarrativeBox("next_steps", "What needs to happen next", "Actions, owners and when.", "summary"),
)

KINDS: dict[str, KindSpec] = {
    ReportKind.TEAM_CLINIC: KindSpec(
        kind=ReportKind.TEAM_CLINIC,
        title="Team manager's practice and performance clinic highlight report",
        appendix="Appendix 5",
        level="team",
        builder="clinics.report_context:team_clinic_context",
        boxes=(
            NarrativeBox("performance", "What the figures tell us", "Trends, benchmarks and why.", "performance"),
            NarrativeBox(
                "quality", "Quality of practice", "What audits, dip samples and observations show.", "learning"
            ),
            NarrativeBox("voice", "Voice of children and families", "What families told us and what changed.", "voice"),
            NarrativeBox("workforce", "Workforce", "Vacancies, agency staff, supervision, wellbeing.", "workforce"),
            *_SUMMARY_BOXES,
        ),
    ),
    ReportKind.SERVICE_BOARD: KindSpec(
        kind=ReportKind.SERVICE_BOARD,
        title="Service manager / head of service highlight report for the practice and performance board",
        appendix="Appendix 6",
        level="area",
        builder="boards.report_context:service_board_context",
        boxes=(
            NarrativeBox(
                "teams", "Across the teams", "Patterns, differences between teams and good practice to share.", "teams"
            ),
            NarrativeBox("themes", "Themes", "What the period's themes mean for the service.", "themes"),
            NarrativeBox("escalations", "Escalations", "What the board needs to decide or know.", "escalations"),
            *_SUMMARY_BOXES,
        ),
    ),
    ReportKind.ASSURANCE_BOARD: KindSpec(
        kind=ReportKind.ASSURANCE_BOARD,
        title="Assistant director's report for the practice and performance assurance board",
        appendix="Appendix 7",
        level="authority",
        builder="boards.report_context:assurance_board_context",
        boxes=(
            NarrativeBox(
                "performance",
                "Performance against similar areas",
                "Statistical neighbours, England, local targets.",
                "performance",
            ),
            NarrativeBox("quality", "Quality of practice", "Grades, moderation and practice-week findings.", "quality"),
            NarrativeBox(
                "workforce", "Workforce and learning", "Staffing, recruitment, learning and development.", "workforce"
            ),
            NarrativeBox("financial", "Financial implications", "Changing needs and patterns of demand.", "workforce"),
            *_SUMMARY_BOXES,
        ),
    ),
    ReportKind.PRACTICE_WEEK: KindSpec(
        kind=ReportKind.PRACTICE_WEEK,
        title="Practice week summary",
        appendix="Practice week",
        level="authority",
        builder="boards.report_context:practice_week_context",
        boxes=(
            NarrativeBox("findings", "What we found", "Strengths and areas to develop across the week.", "findings"),
            NarrativeBox("next_steps", "What needs to happen next", "Actions, owners and when.", "findings"),
        ),
    ),
}


def spec_for(kind: str) -> KindSpec:
    return KINDS[kind]
