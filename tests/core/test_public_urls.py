"""Default deny (STYLE.md 4): every page needs sign-in except the few named in PUBLIC_URL_NAMES.

A page is public only when its view is marked public *and* its URL name is in the registry; these
tests walk every URL pattern so a page cannot become public, or stop being reachable to a
signed-out person who needs it, without someone changing the registry on purpose.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import converters, reverse

from core.public import PUBLIC_URL_NAMES
from qaframework.management.commands.smoke_urls import walk_urls

URLS = walk_urls()
PROTECTED = sorted(url.name for url in URLS if url.name not in PUBLIC_URL_NAMES)


def _is_public(view: Any) -> bool:
    # ``login_not_required`` sets ``login_required = False`` on the function; for a class-based
    # view ``as_view()`` copies it from the decorated ``dispatch``. LoginRequiredMiddleware reads
    # exactly this attribute.
    return getattr(view, "login_required", True) is False


def _placeholder_kwargs(url: Any) -> dict[str, Any]:
    """Any well-formed value for each parameter: sign-in is checked before the view looks it up."""
    values: dict[str, Any] = {}
    for name, converter in url.converters.items():
        if isinstance(converter, converters.IntConverter):
            values[name] = 1
        elif isinstance(converter, converters.UUIDConverter):
            values[name] = uuid.UUID(int=1)
        else:
            values[name] = "x1"
    return values


def test_every_url_pattern_has_a_name():
    # An unnamed page could not be listed in PUBLIC_URL_NAMES or the permission matrix.
    assert [url.route for url in URLS if url.name is None] == []


def test_the_walk_finds_pages_inside_includes_and_leaves_out_the_admin():
    names = {url.name for url in URLS}
    assert {"home", "sign-in", "organisation:case-list", "organisation:caseload-batch"} <= names
    assert not any(name.startswith("admin:") for name in names)


def test_views_marked_public_are_exactly_the_public_url_registry():
    public = {url.name for url in URLS if _is_public(url.callback)}
    assert public == PUBLIC_URL_NAMES, (
        f"marked public but not in PUBLIC_URL_NAMES: {sorted(public - PUBLIC_URL_NAMES)}; "
        f"in PUBLIC_URL_NAMES but not marked public: {sorted(PUBLIC_URL_NAMES - public)}"
    )


def test_sign_in_and_health_are_public(client, db):
    assert client.get(reverse("sign-in")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.parametrize("name", PROTECTED)
def test_signed_out_visit_to_a_protected_page_goes_to_sign_in(client, db, name):
    url = next(u for u in URLS if u.name == name)
    path = reverse(name, kwargs=_placeholder_kwargs(url))
    response = client.get(path)
    assert response.status_code == 302
    # Back to the page after signing in.
    assert response["Location"] == f"{reverse('sign-in')}?next={path}"


@pytest.mark.parametrize("name", PROTECTED)
def test_signed_out_background_request_gets_401_json(client, db, name):
    # An autosave from a browser whose session has ended must learn it was not saved, rather
    # than follow a redirect to the sign-in page and read a 200.
    url = next(u for u in URLS if u.name == name)
    response = client.get(reverse(name, kwargs=_placeholder_kwargs(url)), headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "signed-out"
