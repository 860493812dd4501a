"""The permission matrix: who gets what from every page, for every persona of DESIGN section 1.

MATRIX is keyed by URL name and must name every page in the resolver (Django's admin aside):
a page added without an entry fails ``test_every_page_has_a_matrix_entry`` the day it is added,
so nobody can forget to decide who may see it.

Each entry gives the expected status for GET and for POST (an empty body unless the entry gives
data), as a ``"default"`` for every signed-in persona plus overrides. The anonymous visitor is
sent to sign-in (``SIGN_IN``) unless the entry says otherwise: default deny.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import ImportBatch
from organisation import services
from qaframework.management.commands.smoke_urls import walk_urls

from .conftest import PERSONAS, World
from .matrix import (
    ALL_PERSONAS,
    ANONYMOUS,
    CASES,
    NO_CASE_LIST,
    QA_TEAM,
    SEES,
    SIGN_IN,
    Entry,
    Status,
    each,
)


def _caseload_batch(world: World) -> dict[str, Any]:
    batch = services.caseload_batch_create(
        file_name="caseload.csv",
        text=(
            "case_reference,child_initials,birth_year,case_type,team_code,opened_on\n"
            f"NEW-1,CD,2016,child_in_need,{world.team_a1.code},2024-02-01\n"
        ),
        full_extract=False,
        actor=world.people["qa_officer"],
    )
    assert batch.status == ImportBatch.Status.CHECKED
    return {"batch_id": batch.pk}


def _case_detail(case: str) -> Entry:
    # Another team's case file answers 404, never 403, which would confirm that it exists.
    # Pages that only show are GET only: POST is 405 before anything is looked up.
    return Entry(
        label=case,
        kwargs=lambda world: {"reference": getattr(world, case).case_reference},
        expect={"default": (404, 405), **each((p for p, cases in SEES.items() if case in cases), (200, 405))},
    )


MATRIX: dict[str, tuple[Entry, ...]] = {
    # My work exists for everyone signed in; it only shows, so POST is 405.
    "home": (Entry({"default": (200, 405)}),),
    # The load balancer's probe: public, GET only.
    "healthz": (Entry({"default": (200, 405), ANONYMOUS: (200, 405)}),),
    # Signed-in people are sent on to my work; an empty form is shown again with its errors.
    "sign-in": (Entry({"default": (302, 302), ANONYMOUS: (200, 200)}),),
    # Signing out is a POST (a link or prefetch must not end a session), then back to sign-in.
    "sign-out": (Entry({"default": (405, SIGN_IN)}),),
    "organisation:case-list": (Entry({"default": (200, 405), **each(NO_CASE_LIST, (403, 405))}),),
    "organisation:case-detail": tuple(_case_detail(case) for case in CASES),
    # The QA team loads the caseload; an empty upload is shown again with its error.
    "organisation:caseload-import": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}),),
    "organisation:caseload-template": (Entry({"default": (403, 405), **each(QA_TEAM, (200, 405))}),),
    # A batch page is 404 outside the QA team.
    "organisation:caseload-batch": (
        Entry({"default": (404, 405), **each(QA_TEAM, (200, 405))}, kwargs=_caseload_batch),
    ),
    # POST only; confirming redirects back to the batch page (a second confirm says why not).
    "organisation:caseload-batch-confirm": (
        Entry({"default": (405, 404), **each(QA_TEAM, (405, 302))}, kwargs=_caseload_batch),
    ),
}


def _gather_part_entries() -> None:
    """Add the entries each part of the app keeps in its ``tests/<app>/matrix_<part>.py``."""
    root = Path(__file__).parent
    for path in sorted(root.glob("*/matrix_*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        for name, entries in module.ENTRIES.items():
            assert name not in MATRIX, f"{name} has two matrix entries ({path.name})"
            MATRIX[name] = entries


_gather_part_entries()

URL_NAMES = sorted(str(url.name) for url in walk_urls())


def _client_for(world: World, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(world.people[persona])
    return client


def _outcome(response: Any) -> Status:
    if response.status_code == 302 and response["Location"].split("?")[0] == reverse("sign-in"):
        return SIGN_IN
    return response.status_code


def test_every_page_has_a_matrix_entry():
    missing = sorted(set(URL_NAMES) - set(MATRIX))
    unknown = sorted(set(MATRIX) - set(URL_NAMES))
    assert not missing, f"add a MATRIX entry (who may GET and POST it) for: {missing}"
    assert not unknown, f"MATRIX names pages that no longer exist: {unknown}"


def test_every_persona_has_an_expectation_on_every_case_file():
    assert set(SEES) == set(PERSONAS)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(world, name):
    mismatches = []
    for entry in MATRIX[name]:
        path = reverse(name, kwargs=entry.kwargs(world))
        data = entry.data(world) if entry.data else {}
        for persona in ALL_PERSONAS:
            expected_get, expected_post = entry.expected(persona)
            # A fresh client per request: signing out (or in) must not carry over.
            got_get = _outcome(_client_for(world, persona).get(path))
            got_post = _outcome(_client_for(world, persona).post(path, data))
            for method, expected, got in (("GET", expected_get, got_get), ("POST", expected_post, got_post)):
                if expected != got:
                    mismatches.append((entry.label or path, persona, method, expected, got))
    if mismatches:
        rows = "\n".join(f"  {w:<16} {p:<27} {m:<5} {e!s:<12} {g!s}" for w, p, m, e, g in mismatches)
        header = f"  {'page':<16} {'persona':<27} {'method':<5} {'expected':<12} got"
        pytest.fail(f"{name}: {len(mismatches)} mismatch(es)\n{header}\n{rows}", pytrace=False)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_staff_reach_the_admin(world, persona):
    # Django's admin is the Administrator's tool, with its own sign-in: everyone else is sent
    # to that sign-in, never shown the admin.
    response = _client_for(world, persona).get(reverse("admin:index"))
    if persona == "administrator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# --- nothing of another team's leaks onto the pages a persona can reach -------------------------
LIST_PAGES = ("home", "organisation:case-list", "organisation:caseload-import")
# Whole-authority roles see every team's name, as filter choices.
WHOLE_AUTHORITY = ("assistant_director", "director", *QA_TEAM)


def _foreign_markers(world: World, persona: str) -> dict[str, str]:
    """Marker strings of the world's records this persona must never see, with what they are."""
    visible = [getattr(world, c) for c in SEES[persona]]
    hidden = [getattr(world, c) for c in CASES if c not in SEES[persona]]
    seen_people = {case.practitioner_id for case in visible} | {world.people[persona].pk}
    seen_teams = {case.team_id for case in visible}
    seen_areas = {case.team.service_area_id for case in visible}
    markers = {}
    for case in hidden:
        markers[case.case_reference] = f"{case.case_reference}'s reference"
        markers[case.legal_status] = f"{case.case_reference}'s legal status"
        markers[case.family_reference] = f"{case.case_reference}'s family reference"
        if case.practitioner and case.practitioner_id not in seen_people:
            markers[case.practitioner.full_name] = f"{case.case_reference}'s practitioner"
        if persona not in WHOLE_AUTHORITY:
            if case.team_id not in seen_teams:
                markers[case.team.name] = f"{case.case_reference}'s team"
            if case.team.service_area_id not in seen_areas:
                markers[case.team.service_area.name] = f"{case.case_reference}'s service area"
    # The other side's people, named in DESIGN's example: team A must never see team B's and
    # the reverse, whatever the pages grow to show.
    team_a = ("practitioner_own", "team_manager_same", "service_manager_same", "head_of_service")
    team_b = ("practitioner_other", "team_manager_other", "service_manager_other")
    others = team_b if persona in team_a else team_a if persona in team_b else ()
    for other in others:
        markers[world.people[other].full_name] = f"{other}'s name"
    if persona in team_a:
        markers[world.team_b1.name] = "team B1's name"
    if persona in team_b:
        markers[world.team_a1.name] = "team A1's name"
        markers[world.team_a2.name] = "team A2's name"
    return markers


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_other_teams_records_on_a_personas_pages(world, persona):
    client = _client_for(world, persona)
    pages = [reverse(name) for name in LIST_PAGES]
    pages += [reverse("organisation:case-detail", args=[getattr(world, c).case_reference]) for c in SEES[persona]]
    html = {}
    for path in pages:
        response = client.get(path)
        if response.status_code == 200:
            html[path] = response.content.decode()
    # The pages do show what the persona may see, so an empty page cannot pass for a safe one.
    if persona not in NO_CASE_LIST:
        case_list = html[reverse("organisation:case-list")]
        for case in SEES[persona]:
            assert getattr(world, case).case_reference in case_list
    leaks = [
        f"{what} ({marker}) on {path}"
        for marker, what in _foreign_markers(world, persona).items()
        for path, text in html.items()
        if marker in text
    ]
    assert not leaks, f"{persona} sees another team's records:\n" + "\n".join(leaks)
