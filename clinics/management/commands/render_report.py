"""``manage.py render_report KIND --scope CODE --period YYYY-MM --output FILE.pdf``

Renders a highlight report to PDF from the command line with the same renderer as the worker:
the latest finalised version when there is one, else the live draft (the draft's narrative if a
draft row exists, else none).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from clinics.models import HighlightReport, ReportKind
from clinics.permissions import AUTHORITY, level_of, place_label, report_place, scope_key_for
from clinics.report_kinds import KINDS

_LEVEL_WORDS = {"team": "a team code", "area": "a service-area code", "authority": f'"{AUTHORITY}"'}


class Command(BaseCommand):
    help = "Render a highlight report (the latest finalised version, else the live draft) to a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"One of: {', '.join(ReportKind.values)}")
        parser.add_argument("--scope", required=True, help=f'A team or service-area code, or "{AUTHORITY}"')
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM")
        parser.add_argument("--output", required=True, help="The PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        from qaframework.report_render import render_report_pdf

        kind = options["kind"]
        if kind not in KINDS:
            raise CommandError(f"Unknown report kind {kind!r}: use one of {', '.join(ReportKind.values)}.")
        period = _period(options["period"])
        code = options["scope"]
        level = level_of(kind)
        try:
            place = report_place(kind, code)
        except Http404:
            raise CommandError(
                f"{kind} reports are for {_LEVEL_WORDS[level]}; there is no such {level} as {code!r}."
            ) from None
        output = Path(options["output"])
        if output.suffix.lower() != ".pdf":
            raise CommandError("The output file must end in .pdf.")
        if not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.")

        report = HighlightReport.objects.filter(kind=kind, scope_key=scope_key_for(place), period=period).first()
        version = report.versions.order_by("-number").first() if report else None
        if version is not None:
            what = f"version {version.number}, finalised {version.finalised_at:%d %B %Y}"
            pdf, pages = render_report_pdf(
                context=version.context,
                narrative=version.narrative,
                tables_in_appendix=version.tables_in_appendix,
                author_name=version.author_name,
                status="final",
                finalised_at=version.finalised_at,
            )
        else:
            what = "the live draft" if report else "the live figures (no report started)"
            author = report.author.full_name if report and report.author else "Not started"
            pdf, pages = render_report_pdf(
                context=KINDS[kind].build(place, period),
                narrative=report.narrative if report else {},
                tables_in_appendix=report.tables_in_appendix if report else False,
                author_name=author,
                status="draft",
                finalised_at=None,
            )
        output.write_bytes(pdf)
        self.stdout.write(
            f"Wrote {output} ({pages} page{'s' if pages != 1 else ''}): {place_label(place)}, {period:%B %Y}, {what}."
        )


def _period(text: str) -> datetime.date:
    if not re.fullmatch(r"\d{4}-\d{2}", text or ""):
        raise CommandError(f"The period must be a month as YYYY-MM, not {text!r}.")
    try:
        return datetime.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise CommandError(f"The period must be a month as YYYY-MM, not {text!r}.") from None
