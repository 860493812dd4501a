"""``manage.py load_framework``: load framework content from the apps' versioned JSON files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.framework import FrameworkError, framework_load


class Command(BaseCommand):
    help = (
        "Load framework content (bank holidays, audit tools, pillars, indicators, questionnaires, terms of "
        "reference) from each app's framework/*.json files. Only (key, version) pairs not loaded before are "
        "inserted; loaded content is never changed, so running it again changes nothing. A file changed "
        "without a new version, or any malformed file, stops the load and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Check every file and report; write nothing.")
        parser.add_argument(
            "--dir",
            action="append",
            type=Path,
            dest="dirs",
            metavar="FOLDER",
            help="Load only from this folder (repeatable), e.g. to try a new file before adding it to an app.",
        )

    def handle(self, *args: Any, check: bool = False, dirs: list[Path] | None = None, **options: Any) -> None:
        try:
            outcomes = framework_load(dirs=dirs, check=check)
        except FrameworkError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"Framework content not loaded; nothing was written:\n{lines}") from exc
        for outcome in outcomes:
            self.stdout.write(outcome.describe())
        new = [o for o in outcomes if o.status != "already loaded"]
        if not outcomes:
            self.stdout.write("No framework files found.")
        elif check:
            self.stdout.write(
                self.style.SUCCESS(f"Checked {len(outcomes)} file(s): {len(new)} would be loaded. Nothing written.")
            )
        elif new:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(new)} new file(s)."))
        else:
            self.stdout.write("Nothing new to load: every file is already loaded.")
