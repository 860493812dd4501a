"""Propose and confirm a month's allocation in one step (for operators)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audits.models import AllocationRound
from audits.services.monthly import allocation_confirm, allocation_propose


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Propose and confirm the monthly audit allocation; prints how many audits it allocated."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="Print the proposal and save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = datetime.datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError:
            raise CommandError("--month must be YYYY-MM, for example 2026-11") from None
        today = max(timezone.localdate(), month)
        if options["dry_run"]:
            try:
                with transaction.atomic():
                    round_ = allocation_propose(month=month, today=today)
                    self._print_proposal(round_)
                    raise _DryRun
            except _DryRun:
                self.stdout.write("Dry run: nothing was saved.")
            return
        round_ = allocation_propose(month=month, today=today)
        created = allocation_confirm(round=round_, actor=None, today=today)
        self._print_none(round_)
        self.stdout.write(f"Allocated {created} audits for {month:%B %Y}.")

    def _print_proposal(self, round_: AllocationRound) -> None:
        for p in round_.proposals.select_related("auditor", "case_file__team").order_by("auditor__full_name"):
            if p.case_file_id:
                self.stdout.write(f"{p.auditor}: {p.case_file.case_reference} ({p.case_file.team})")
        self._print_none(round_)

    def _print_none(self, round_: AllocationRound) -> None:
        for p in (
            round_.proposals.filter(case_file__isnull=True).select_related("auditor").order_by("auditor__full_name")
        ):
            why = f"excluded: {p.exclusion_reason}" if p.excluded else p.reason_none
            self.stdout.write(f"No case for {p.auditor}: {why}")
