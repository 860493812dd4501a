"""The service navigation shows each person only the pages they have."""

from __future__ import annotations

import re

from django.urls import reverse


def _nav_labels(client, user) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    nav = re.search(r"<nav[^>]*govuk-service-navigation__wrapper.*?</nav>", html, re.S)
    assert nav, "no service navigation on my work"
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(0), re.S)]


def test_managers_and_bi_have_performance_in_the_navigation(client, world):
    for persona in ("team_manager_same", "service_manager_same", "bi_officer", "qa_officer"):
        assert "Performance" in _nav_labels(client, world.people[persona]), persona


def test_practitioners_and_partners_do_not(client, world):
    for persona in ("practitioner_own", "partner_contributor", "participation_officer"):
        assert "Performance" not in _nav_labels(client, world.people[persona]), persona
