"""The demo smoke test: every page fetched as a team manager and a QA officer, no server errors."""

from __future__ import annotations

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from core.models import AccessLog, ImportBatch
from organisation import selectors
from qaframework.management.commands import smoke_urls
from qaframework.management.commands.smoke_urls import walk_urls


def run(err: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command("smoke_urls", stdout=out, stderr=err or io.StringIO())
    return out.getvalue()


def test_every_page_answers_both_personas_without_a_server_error(db):
    # The tiny demo authority, as CI's smoke run builds it: it has something for every page with
    # parameters (audits in every state, allocation, reviews, dip samples, programme audits).
    call_command("seed_demo", size="tiny", stdout=io.StringIO())
    out = run()
    pages = len(walk_urls())
    # Every page with parameters found something to show in the world.
    assert "skipped" not in out
    assert f"smoke: {pages} pages × 2 personas, no server errors" in out


def test_it_leaves_nothing_behind(world):
    # The sample import batch, the access-log rows of the case pages and the two sign-in
    # sessions are rolled back: the command can be pointed at any database.
    run()
    assert not ImportBatch.objects.exists()
    assert not AccessLog.objects.exists()
    assert not Session.objects.exists()


def test_a_crashing_page_fails_the_command_naming_the_page_and_the_error(world, monkeypatch):
    def broken(scope):
        raise ZeroDivisionError("home summary is broken")

    monkeypatch.setattr(selectors, "case_file_home_summary", broken)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 server error\(s\)"):
        run(err)
    assert "exception GET / as team manager" in err.getvalue()
    assert "exception GET / as QA officer" in err.getvalue()
    assert "ZeroDivisionError: home summary is broken" in err.getvalue()


def test_a_page_with_parameters_and_no_sampler_fails_the_command(world, monkeypatch):
    samplers = dict(smoke_urls.SAMPLERS)
    del samplers["organisation:case-detail"]
    monkeypatch.setattr(smoke_urls, "SAMPLERS", samplers)
    with pytest.raises(CommandError, match="add a sampler for organisation:case-detail"):
        run()


def test_without_a_team_manager_it_says_to_seed_first(db):
    with pytest.raises(CommandError, match="No active team manager"):
        run()
