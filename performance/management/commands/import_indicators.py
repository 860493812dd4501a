"""Import BI's figures of record or benchmarks from a CSV: the same checks and writes as the page."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.csvio import UnreadableFile, decode_upload
from performance.services.figures import (
    BENCHMARK_COLUMNS,
    FIGURE_COLUMNS,
    FiguresRefused,
    figures_check,
    figures_import,
)


class Command(BaseCommand):
    help = (
        "Import figures of record (columns: "
        + ", ".join(FIGURE_COLUMNS)
        + ") or benchmarks (columns: "
        + ", ".join(BENCHMARK_COLUMNS)
        + "), told apart by the header. A file with any problem is refused whole, every problem is listed by row "
        "and column, and nothing is written. Values already held for the same indicator, period and scope (or "
        "comparator) are replaced."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8, with or without a byte-order mark).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = decode_upload(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        except UnreadableFile as exc:
            raise CommandError(f"{path}: {exc}") from None
        try:
            if options["dry_run"]:
                check = figures_check(text=text)
                if not check.ok:
                    raise FiguresRefused(check)
            else:
                check = figures_import(text=text, actor=None, reason=f"import_indicators {path.name}")
        except FiguresRefused as refused:
            for problem in refused.check.problems:
                self.stderr.write(str(problem))
            count = len(refused.check.problems)
            raise CommandError(f"Refused: {count} problem{'s' if count != 1 else ''}; nothing was imported.") from None
        for warning in check.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["dry_run"]:
            self.stdout.write(
                f"{check.label}: would add {check.new}, would replace {check.replaced}, unchanged {check.unchanged}. "
                "Dry run: nothing was written."
            )
        else:
            self.stdout.write(
                f"{check.label}: added {check.new}, replaced {check.replaced}, unchanged {check.unchanged}."
            )
