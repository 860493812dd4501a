"""Timings at the scale of the largest authorities (``make bench``). Never part of the tests.

Builds (once) the ``large`` demo authority in its own SQLite file, then times the pages and
imports people use most, printing the median of several runs.
"""

from __future__ import annotations

import functools
import io
import statistics
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from organisation.caseload import caseload_check
from organisation.models import CaseFile, Role, RoleAssignment


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Time the busiest pages and the caseload check on the current database (seed it with --size large)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args: object, runs: int, **options: object) -> None:
        rows: list[tuple[str, float]] = []
        for role in (Role.TEAM_MANAGER, Role.QA_OFFICER):
            assignment = RoleAssignment.objects.filter(role=role).select_related("person").first()
            if assignment is None:
                self.stderr.write(f"No {role} in the database: run seed_demo --size large first.")
                continue
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(assignment.person)
            label = assignment.get_role_display()
            for url in (
                reverse("home"),
                reverse("organisation:case-list"),
                reverse("organisation:case-list") + "?page=last",
            ):
                rows.append((f"{label}: GET {url}", _median(functools.partial(client.get, url), runs)))
        out = io.StringIO()
        out.write("case_reference,child_initials,birth_year,case_type,team_code,opened_on\n")
        for case in CaseFile.objects.select_related("team").order_by("pk")[:60000]:
            out.write(
                f"{case.case_reference},{case.child_initials},{case.birth_year},{case.case_type},"
                f"{case.team.code},{case.opened_on:%Y-%m-%d}\n"
            )
        text = out.getvalue()
        count = text.count("\n") - 1
        rows.append(
            (f"caseload check of {count} rows", _median(lambda: caseload_check(text=text, full_extract=True), 3))
        )
        self.stdout.write(f"{'what':<60} median")
        for what, seconds in rows:
            self.stdout.write(f"{what:<60} {seconds * 1000:8.1f} ms")
