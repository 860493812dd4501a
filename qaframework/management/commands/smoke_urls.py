"""Fetch every page as a team manager and a QA officer, and fail on any server error.

``scripts/smoke-demo`` runs this after ``seed_demo --size tiny`` on a fresh SQLite database, so
a page that crashes on realistic data is caught before anyone demonstrates it. Every URL name
in the resolver is fetched (Django's admin aside: it is the Administrator's tool, with its own
sign-in). A URL with parameters needs a sampler below that finds an object to show; a new page
without one fails the command, so no page is left out by accident.

Everything runs in one transaction that is rolled back at the end: the command leaves no
session, access-log row or sample import batch behind.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audits.models import (
    Action,
    ActionReview,
    AllocationProposal,
    AllocationRound,
    Audit,
    CalibrationExercise,
    DipSample,
    Element,
    Moderation,
    PartnerSection,
    ProgrammeAudit,
    ToolVersion,
)
from audits.selectors import audits_visible
from audits.services.concern_process import episodes_visible
from audits.services.concerns import concerns_visible
from core.models import ImportBatch
from organisation import services as organisation_services
from organisation.models import Role, RoleAssignment, Team, User
from organisation.scope import scope_for

# Django's admin has its own sign-in and rules (only staff reach it); the smoke test, the
# permission matrix and the public-URL test cover our pages.
SKIPPED_NAMESPACES = frozenset({"admin"})
# The demo's ALLOWED_HOSTS are 127.0.0.1 and localhost; the test client's "testserver" is not.
HOST = "127.0.0.1"


@dataclass(frozen=True)
class UrlName:
    """One URL pattern: its namespaced name (None if it has none), route and parameters."""

    name: str | None
    route: str
    callback: Callable[..., Any]
    # Parameter name -> path converter (None for a regular-expression group).
    converters: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.converters)


def _pattern_converters(pattern: URLPattern | URLResolver) -> dict[str, Any]:
    converters = dict(getattr(pattern.pattern, "converters", {}) or {})
    regex = getattr(pattern.pattern, "regex", None)
    for group in regex.groupindex if regex is not None else ():
        converters.setdefault(group, None)
    return converters


def _walk(
    patterns: list[URLPattern | URLResolver], namespace: str, prefix: str, converters: dict[str, Any]
) -> Iterator[UrlName]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found = {**converters, **_pattern_converters(pattern)}
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, route, found)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield UrlName(name=name, route=route, callback=pattern.callback, converters=found)


def walk_urls(urlconf: str | None = None) -> list[UrlName]:
    """Every URL pattern of the site, through includes, except Django's admin.

    Used by this command and by the tests that check default deny and the permission matrix,
    so all three see the same list of pages. Where one name is used twice, the first is kept
    (``reverse`` answers with one of them either way).
    """
    seen: set[str] = set()
    urls = []
    for url in _walk(get_resolver(urlconf).url_patterns, "", "", {}):
        if url.name is not None:
            if url.name in seen:
                continue
            seen.add(url.name)
        urls.append(url)
    return urls


# --- samplers: URL kwargs from whatever the database holds -----------------------------------
@dataclass(frozen=True)
class Personas:
    team_manager: User
    qa_officer: User


Sampler = Callable[[Personas], "dict[str, Any] | None"]


def _case_file(personas: Personas) -> dict[str, Any] | None:
    # A case file the team manager can see (not a restricted one, so the QA officer can too).
    case = scope_for(personas.team_manager).case_files().filter(restricted=False).order_by("case_reference").first()
    return {"reference": case.case_reference} if case else None


SAMPLE_CASELOAD = (
    "case_reference,child_initials,birth_year,case_type,team_code,opened_on\n{ref},AB,2015,{type},{team},2024-01-10\n"
)


def _caseload_batch(personas: Personas) -> dict[str, Any] | None:
    batch = ImportBatch.objects.filter(kind=ImportBatch.Kind.CASELOAD).order_by("-pk").first()
    if batch is None:
        # A fresh demo has none: check a one-line file (rolled back with everything else).
        team = Team.objects.order_by("code").first()
        if team is None:
            return None
        batch = organisation_services.caseload_batch_create(
            file_name="smoke.csv",
            text=SAMPLE_CASELOAD.format(ref="SMOKE-1", type="child_in_need", team=team.code),
            full_extract=False,
            actor=personas.qa_officer,
        )
    return {"batch_id": batch.pk}


def _tool_version(personas: Personas) -> dict[str, Any] | None:
    version = ToolVersion.objects.order_by("-pk").first()
    return {"version_id": version.pk} if version else None


def _element(personas: Personas) -> dict[str, Any] | None:
    element = Element.objects.order_by("-pk").first()
    return {"element_id": element.pk} if element else None


def _audit(personas: Personas) -> dict[str, Any] | None:
    audit = audits_visible(scope_for(personas.team_manager)).order_by("pk").first()
    return {"audit_id": audit.pk} if audit else None


def _action(personas: Personas) -> dict[str, Any] | None:
    action = Action.objects.filter(audit__in=audits_visible(scope_for(personas.team_manager))).order_by("pk").first()
    return {"action_id": action.pk} if action else None


def _concern(personas: Personas) -> dict[str, Any] | None:
    concern = concerns_visible(scope_for(personas.qa_officer)).order_by("pk").first()
    return {"concern_id": concern.pk} if concern else None


def _concern_episode(personas: Personas) -> dict[str, Any] | None:
    episode = episodes_visible(scope_for(personas.qa_officer)).order_by("pk").first()
    return {"episode_id": episode.pk} if episode else None


def _action_review(personas: Personas) -> dict[str, Any] | None:
    episodes = episodes_visible(scope_for(personas.qa_officer))
    review = ActionReview.objects.filter(episode__in=episodes).order_by("pk").first()
    return {"review_id": review.pk} if review else None


def _programme(personas: Personas) -> dict[str, Any] | None:
    programme = ProgrammeAudit.objects.order_by("pk").first()
    return {"programme_id": programme.pk} if programme else None


def _partner_section(personas: Personas) -> dict[str, Any] | None:
    section = PartnerSection.objects.order_by("pk").first()
    return {"section_id": section.pk} if section else None


def _child_case(personas: Personas) -> dict[str, Any] | None:
    case = scope_for(personas.qa_officer).case_files().filter(restricted=False).order_by("case_reference").first()
    return {"case_reference": case.case_reference} if case else None


def _dip_sample(personas: Personas) -> dict[str, Any] | None:
    sample = DipSample.objects.order_by("-round__month", "pk").first()
    return {"sample_id": sample.pk} if sample else None


def _round(personas: Personas) -> dict[str, Any] | None:
    found = AllocationRound.objects.order_by("-month").first()
    return {"round_id": found.pk} if found else None


def _proposal(personas: Personas) -> dict[str, Any] | None:
    found = AllocationProposal.objects.order_by("-round__month", "pk").first()
    return {"proposal_id": found.pk} if found else None


def _monthly_audit(personas: Personas) -> dict[str, Any] | None:
    found = Audit.objects.filter(kind="monthly", status="allocated").order_by("pk").first()
    return {"audit_id": found.pk} if found else None


def _moderated_auditor(personas: Personas) -> dict[str, Any] | None:
    found = Moderation.objects.filter(status="done").order_by("pk").values_list("audit__auditor_id", flat=True).first()
    return {"person_id": found or personas.qa_officer.pk}


def _moderation(personas: Personas, **filters: Any) -> dict[str, Any] | None:
    found = Moderation.objects.filter(**filters).order_by("pk").first()
    return {"moderation_id": found.pk} if found else None


def _audit_where(personas: Personas, **filters: Any) -> dict[str, Any] | None:
    found = Audit.objects.filter(**filters).order_by("pk").first()
    return {"audit_id": found.pk} if found else None


def _calibration_exercise(personas: Personas) -> dict[str, Any] | None:
    found = CalibrationExercise.objects.order_by("-created_at", "pk").first()
    return {"exercise_id": found.pk} if found else None


SAMPLERS: dict[str, Sampler] = {
    "audits:moderation": _moderation,
    "audits:moderation-assign": lambda personas: _moderation(personas, status__in=["waiting", "in_progress"]),
    "audits:moderation-outcome": lambda personas: _moderation(personas, status="done"),
    # Any audit will do when none fits: the page must answer (a kind refusal), never fail.
    "audits:moderation-add": lambda personas: (
        _audit_where(personas, status__in=["submitted", "closed"], moderation__isnull=True) or _audit_where(personas)
    ),
    "audits:change-talked-through": lambda personas: (
        _audit_where(personas, moderation_changed_grade=True) or _audit_where(personas)
    ),
    "audits:calibration-exercise": _calibration_exercise,
    "audits:calibration-results": _calibration_exercise,
    "audits:calibration-close": _calibration_exercise,
    "audits:agreement-auditor": _moderated_auditor,
    "audits:allocation-round": _round,
    "audits:allocation-confirm": _round,
    "audits:proposal-swap": _proposal,
    "audits:proposal-exclude": _proposal,
    "audits:proposal-include": _proposal,
    "audits:audit-cancel": _monthly_audit,
    "audits:audit-reallocate": _monthly_audit,
    "audits:audit-declare-conflict": _monthly_audit,
    "audits:dip-sample": _dip_sample,
    "audits:programme-detail": _programme,
    "audits:partner-section": _partner_section,
    "audits:programme-new-for-child": _child_case,
    "audits:concern-episode": _concern_episode,
    "audits:action-review": _action_review,
    "audits:audit-edit": _audit,
    "audits:concern-raise": _audit,
    "audits:concern-detail": _concern,
    "audits:audit-practitioner": _audit,
    "audits:talked-through": _audit,
    "audits:action-add": _audit,
    "audits:action-edit": _action,
    "audits:action-confirm": _action,
    "audits:audit-detail": _audit,
    "audits:audit-history": _audit,
    "audits:tool-version-detail": _tool_version,
    "audits:tool-version-new": _tool_version,
    "audits:tool-version-publish": _tool_version,
    "audits:tool-version-discard": _tool_version,
    "audits:element-edit": _element,
    "organisation:case-detail": _case_file,
    "organisation:caseload-batch": _caseload_batch,
    "organisation:caseload-batch-confirm": _caseload_batch,
}
# Higher apps keep their samplers beside their pages, in ``<app>/smoke.py`` (``SAMPLERS``).
SAMPLER_MODULES = (
    "observations.smoke",
    "feedback.smoke",
    "performance.smoke",
    "clinics.smoke_meetings",
    "clinics.smoke_reports",
    "clinics.smoke_pdf",
    "boards.smoke",
)


def all_samplers() -> dict[str, Sampler]:
    found = dict(SAMPLERS)
    for module in SAMPLER_MODULES:
        found.update(importlib.import_module(module).SAMPLERS)
    return found


def _active_person(role: str) -> User:
    assignment = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role=role, person__is_active=True)
        .select_related("person")
        .order_by("person__email")
        .first()
    )
    if assignment is None:
        raise CommandError(f"No active {Role(role).label.lower()} in the database: run seed_demo first.")
    return assignment.person


@dataclass(frozen=True)
class Failure:
    persona: str
    path: str
    status: int | None
    error: str


class Command(BaseCommand):
    help = "GET every page (Django's admin aside) as a team manager and a QA officer; fail on any 5xx."

    def handle(self, *args: Any, **options: Any) -> None:
        urls = walk_urls()
        unnamed = [url.route for url in urls if url.name is None]
        if unnamed:
            raise CommandError(f"Name every URL pattern so the smoke test can cover it: {', '.join(unnamed)}")
        samplers = all_samplers()
        unsampled = [url.name for url in urls if url.parameters and url.name not in samplers]
        if unsampled:
            raise CommandError(
                "; ".join(f"add a sampler for {name} in its app's smoke.py (or smoke_urls.py)" for name in unsampled)
            )
        personas = Personas(team_manager=_active_person(Role.TEAM_MANAGER), qa_officer=_active_person(Role.QA_OFFICER))
        # Django logs every 4xx a persona meets (a team manager is refused the caseload import)
        # with a traceback; only server errors matter here, and they are reported below.
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.CRITICAL)
        try:
            with transaction.atomic():
                failures, fetched, skipped = self._fetch_all(urls, personas, samplers)
                transaction.set_rollback(True)
        finally:
            request_log.setLevel(level)

        for name in skipped:
            self.stdout.write(f"smoke: skipped {name} (nothing in the database to show)")
        for failure in failures:
            self.stderr.write(
                f"{failure.status or 'exception'} GET {failure.path} as {failure.persona}\n{failure.error}"
            )
        if failures:
            raise CommandError(f"smoke: {len(failures)} server error(s) on {fetched} pages × 2 personas (listed above)")
        self.stdout.write(f"smoke: {fetched} pages × 2 personas, no server errors")

    def _fetch_all(
        self, urls: list[UrlName], personas: Personas, samplers: dict[str, Sampler]
    ) -> tuple[list[Failure], int, list[str]]:
        clients = {}
        for label, user in (("team manager", personas.team_manager), ("QA officer", personas.qa_officer)):
            client = Client(HTTP_HOST=HOST)
            client.force_login(user)
            clients[label] = client
        failures: list[Failure] = []
        skipped: list[str] = []
        fetched = 0
        for url in urls:
            name = str(url.name)  # handle() refused unnamed patterns
            kwargs = samplers[name](personas) if url.parameters else {}
            if kwargs is None:
                skipped.append(name)
                continue
            path = reverse(name, kwargs=kwargs)
            fetched += 1
            for label, client in clients.items():
                failure = self._fetch(client, label, path)
                if failure is not None:
                    failures.append(failure)
        return failures, fetched, skipped

    def _fetch(self, client: Client, persona: str, path: str) -> Failure | None:
        try:
            # A savepoint per page: a database error in one view must not poison the rest.
            with transaction.atomic():
                response = client.get(path)
        except Exception as exc:  # noqa: BLE001 - any exception in a view is what we are looking for
            return Failure(persona, path, None, "".join(traceback.format_exception(exc)).rstrip())
        if response.status_code >= 500:
            return Failure(persona, path, response.status_code, f"status {response.status_code}")
        return None
