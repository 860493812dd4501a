"""``manage.py demo_sign_ins``: the demo's sign-in table, one row per role (``make demo`` prints it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from organisation.demo import demo_sign_ins_markdown


class Command(BaseCommand):
    help = "Print the synthetic demo's sign-ins as a Markdown table: one account per role, one shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_sign_ins_markdown())
