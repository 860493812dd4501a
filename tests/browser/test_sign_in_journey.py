import pytest
from playwright.sync_api import expect

from organisation.models import Role
from tests.factories import person_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.TEAM_MANAGER, "Team manager"), (Role.QA_OFFICER, "Import the caseload extract")],
)
def test_sign_in_through_the_form_lands_on_my_work_and_passes_axe(page, live_server, axe_check, tab_to, role, expected):
    person_with_role(role, email=f"{role}@example.test", full_name="Journey Person")
    page.goto("/")
    assert page.url.endswith("/sign-in/?next=/")
    axe_check(page)
    # Keyboard only: tab to the field, type, tab on, submit with Enter.
    tab_to(page, "#id_username")
    page.keyboard.type(f"{role}@example.test")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("My work")
    assert page.url == f"{live_server.url}/"
    assert expected in page.content()
    axe_check(page)


def test_failed_sign_in_shows_an_accessible_error_summary(page, axe_check):
    page.goto("/sign-in/")
    page.fill("#id_username", "nobody@example.test")
    page.fill("#id_password", "wrong password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.input_value("#id_username") == "nobody@example.test"
    axe_check(page)
