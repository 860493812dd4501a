"""Journey: a parent opens a secure link on a phone and answers by keyboard alone (Tab, Space,
arrow keys, Enter, typing; no clicks): consent, answers, "Save and finish later", the link opened
again, "Continue", who may see the answers, "Send your answers". Axe on every page; afterwards the
response is submitted and its free-text answer is waiting to be read."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Response, SecureLink, TriageItem
from tests.feedback.test_links import fresh_rate_limits, make_link  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]
PHONE = {"width": 390, "height": 844}


def _press_button(pg, tab_to, name: str) -> None:
    tab_to(pg, f"button:has-text('{name}'), input[type=submit][value='{name}']", limit=120)
    pg.keyboard.press("Enter")


def test_a_parent_answers_through_the_link_on_a_phone_by_keyboard(world, page, axe_check, tab_to):
    link, token = make_link(world, now=timezone.now())
    pg = page
    pg.set_viewport_size(PHONE)

    # The link: swapped at once for a token-free page, which asks for consent first.
    pg.goto(f"/v/{token}/")
    expect(pg).to_have_url(f"{pg.url.split('/v/')[0]}/v/about/")
    assert token not in pg.content()
    expect(pg.locator("h1")).to_have_text(link.questionnaire.title)
    expect(pg.get_by_text("If a child or anyone else is in danger now, call")).to_be_visible()
    axe_check(pg)
    tab_to(pg, "input[name=consent][value=yes]")
    pg.keyboard.press("Space")
    expect(pg.locator("input[name=consent][value=yes]")).to_be_checked()
    _press_button(pg, tab_to, "Continue")

    # The questions, all on one page: the first answer typed, the view of progress chosen.
    expect(pg).to_have_url(f"{pg.url.split('/v/')[0]}/v/answers/")
    axe_check(pg)
    tab_to(pg, "textarea[name=q_changed]")
    pg.keyboard.type("We have a routine now and the mornings are calmer.")
    tab_to(pg, "input[name=q_progress]")
    pg.keyboard.press("Space")  # "Much worse", the first
    for _ in range(3):
        pg.keyboard.press("ArrowDown")  # to "Better"
    expect(pg.locator("input[name=q_progress][value=better]")).to_be_checked()
    _press_button(pg, tab_to, "Save and finish later")
    expect(pg.locator("h1")).to_have_text("Your answers are saved")
    expect(
        pg.get_by_text(f"before {link.expires_at.astimezone(timezone.get_current_timezone()):%-d %B %Y}")
    ).to_be_visible()
    axe_check(pg)
    draft = Response.objects.get()
    assert draft.status == Response.Status.DRAFT
    assert draft.answers["progress"] == "better"

    # Later: the same link opens the saved answers.
    pg.goto(f"/v/{token}/")
    expect(pg.locator("textarea[name=q_changed]")).to_have_value("We have a routine now and the mornings are calmer.")
    expect(pg.locator("input[name=q_progress][value=better]")).to_be_checked()
    axe_check(pg)
    _press_button(pg, tab_to, "Continue")

    # Check, choose who may see the answers, send.
    expect(pg.locator("h1")).to_have_text("Check and send your answers")
    expect(pg.get_by_text("We have a routine now and the mornings are calmer.")).to_be_visible()
    axe_check(pg)
    tab_to(pg, "input[name=sharing]")
    pg.keyboard.press("Space")  # "with my name", the first
    pg.keyboard.press("ArrowDown")  # "without my name"
    expect(pg.locator("input[name=sharing][value=anonymous]")).to_be_checked()
    tab_to(pg, "input[name=respondent]")
    pg.keyboard.type("Mum")
    _press_button(pg, tab_to, "Send your answers")
    expect(pg.locator("h1")).to_contain_text("Your answers have been sent")
    axe_check(pg)

    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    assert (response.sharing, response.respondent, response.view_of_progress) == ("anonymous", "Mum", "better")
    assert TriageItem.objects.filter(response=response, question_code="changed").exists()
    assert SecureLink.objects.get().submitted_at is not None

    # Used up: the link now gets the kind page (sent as a 404, which the browser reports).
    pg.goto(f"/v/{token}/")
    expect(pg.locator("h1")).to_have_text("This link cannot be used")
    assert pg.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    pg.console_errors.clear()
    axe_check(pg)
