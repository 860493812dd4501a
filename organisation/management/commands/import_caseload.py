"""Import the caseload extract from the command line: the same checks and writes as the page."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.csvio import UnreadableFile, decode_upload
from organisation.caseload import CaseloadRefused, caseload_import


class Command(BaseCommand):
    help = (
        "Import case files from the case-management system's CSV extract. A file with any problem is "
        "refused whole and nothing is written."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The caseload CSV file (UTF-8, with or without a byte-order mark).")
        parser.add_argument(
            "--full-extract",
            action="store_true",
            help="The file holds every open case: flag open case files missing from it 'not in the latest "
            "extract' for the QA team to confirm. Nothing is closed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        try:
            text = decode_upload(data)
        except UnreadableFile as exc:
            raise CommandError(f"{path}: {exc}") from None
        try:
            result = caseload_import(text=text, full_extract=options["full_extract"], actor=None)
        except CaseloadRefused as refused:
            for problem in refused.check.problems:
                self.stderr.write(str(problem))
            for warning in refused.check.warnings:
                self.stderr.write(f"warning: {warning}")
            count = len(refused.check.problems)
            raise CommandError(f"Refused: {count} problem{'s' if count != 1 else ''}; nothing was imported.") from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"warned {result.warned}, flagged {result.flagged} (not in the latest extract)."
        )
