"""Import an Annex A workbook: the same reading, snapshot, merge and estimates as the page."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from performance.services.annex_a import LIST_TITLES, AnnexAUnreadable, annex_a_import


def _problem_line(problem: dict[str, Any]) -> str:
    if not problem.get("row"):
        return str(problem["message"])
    column = f", column {problem['column']}" if problem.get("column") else ""
    return f"{problem['sheet']}, row {problem['row']}{column}: {problem['message']}"


class Command(BaseCommand):
    help = (
        "Import an Annex A workbook (.xlsx, lists 1-9 as sheets) as a dated snapshot, merge its events with "
        "those held and recompute the app estimates. Rows that cannot be read are listed by sheet, row and column "
        "and the others are imported; the same workbook twice changes nothing. Exits non-zero for a file that is "
        "not a readable workbook or has no list we recognise."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The Annex A workbook (.xlsx).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        try:
            outcome = annex_a_import(data=data, file_name=path.name)
        except AnnexAUnreadable as exc:
            for problem in exc.problems:
                self.stderr.write(_problem_line(problem))
            raise CommandError(f"{path.name}: {exc}") from None
        self.stdout.write(outcome.summary())
        if not outcome.created:
            return
        for number, (sheet, rows) in outcome.lists.items():
            self.stdout.write(f"  List {number} ({LIST_TITLES[number]}), sheet {sheet!r}: {rows:,} rows kept")
        for sheet, columns in outcome.not_kept.items():
            self.stdout.write(f"  Not kept from {sheet!r} (least data): {', '.join(columns)}")
        self.stdout.write(
            f"  {outcome.matched:,} events have a case file; {outcome.estimates:,} app estimates written."
        )
        problems = outcome.snapshot.problems
        if problems:
            self.stderr.write(f"Rows left out ({len(problems)} problem{'s' if len(problems) != 1 else ''}):")
            for problem in problems:
                self.stderr.write(_problem_line(problem))
