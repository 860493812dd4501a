"""``manage.py seed_demo``: build the synthetic demo authority (fictional people and places only)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audits.demo import demo_audits_seed
from audits.demo_concern import seed_concern
from audits.demo_dip_samples import seed_dip_samples
from audits.demo_moderation import seed_moderation
from audits.demo_programme import seed_programme
from boards.demo_learning import seed_learning
from clinics.demo_meetings import seed_meetings
from clinics.demo_reports import seed_reports
from feedback.demo import seed_family_feedback
from feedback.demo_links import seed_family_links
from feedback.demo_voices import seed_voices
from observations.demo import seed_observations
from observations.demo_weeks import seed_practice_weeks
from organisation.demo import DEMO_PASSWORD, SIZES, demo_authority_seed
from performance.demo_annex_a import seed_annex_a
from performance.demo_figures import seed_figures
from performance.demo_population import seed_population
from performance.demo_signals import seed_signals


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD; got {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Build a synthetic demo authority: service areas, teams, people in every role (with duties and acting-up "
        "periods), open and closed case files, and audits in every state with their actions, concerns, "
        "reflections and responses (after loading the framework content, whose audit tools they use). The same "
        "--size and --today always build the same authority, and running it again adds nothing. Sizes: tiny "
        "(about 30 people, 60 case files), demo (about 150 people, 3,000 case files), large (about 1,000 people, "
        "60,000 case files)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZES, default="demo")
        parser.add_argument("--today", type=_date, help="The demo's date (YYYY-MM-DD); default today in Europe/London.")

    def handle(self, *args: Any, size: str = "demo", today: datetime.date | None = None, **opts: Any) -> None:
        today = today or timezone.localdate()
        # The audit tools, scales and bank holidays are framework content (data): load whatever is
        # not loaded yet, so the demo's audits have tools and its due dates skip bank holidays.
        call_command("load_framework", stdout=io.StringIO())
        report = demo_authority_seed(size=size, today=today)
        self.stdout.write(f"{settings.AUTHORITY_NAME} (synthetic, size {size}, as of {today:%d %B %Y}):")
        if report.other_demo_present:
            self.stdout.write(
                self.style.WARNING(
                    "A demo authority built for another size or date is already present: nothing added. "
                    "Start from an empty database to build this one."
                )
            )
            return
        audits = demo_audits_seed(size=size, today=today)
        for line in [*report.lines(), *audits.lines()]:
            self.stdout.write(f"  {line}")
        # The audit programme on top of the audits: each part seeds itself, idempotently.
        # Moderation first, so reported grades are final before the child of concern register;
        # observations after dip samples (one done instead of a dip sample counts for it); family
        # feedback once every audit exists, and the secure links on its tasks; performance data
        # (population before the rates, figures and Annex A before the signals found in them);
        # learning once dip samples and observations exist; meetings, then the highlight reports
        # (which read everything above and table at the meetings).
        for seed_part in (
            seed_moderation,
            seed_concern,
            seed_programme,
            seed_dip_samples,
            seed_observations,
            seed_practice_weeks,
            seed_family_feedback,
            seed_family_links,
            seed_voices,
            seed_population,
            seed_figures,
            seed_annex_a,
            seed_signals,
            seed_learning,
            seed_meetings,
            seed_reports,
        ):
            self.stdout.write(f"  {seed_part(size=size, today=today)}")
        if report.created_anything or audits.created_anything:
            self.stdout.write(self.style.SUCCESS("Demo authority built."))
        else:
            self.stdout.write("The demo authority is already present: nothing added.")
        self.stdout.write(f"Demo sign-ins share the password {DEMO_PASSWORD}; `manage.py demo_sign_ins` lists them.")
