from django.urls import reverse

from organisation.models import Role
from tests.factories import person_with_role


def test_sign_in_with_email_in_any_case_lands_on_my_work(client, db):
    person_with_role(Role.TEAM_MANAGER, email="Tess.Manager@example.test")
    response = client.post(
        reverse("sign-in"),
        {"username": "TESS.MANAGER@example.test", "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"My work" in response.content
    assert b"Team manager" in response.content


def test_wrong_password_shows_error_summary_and_keeps_the_email(client, db):
    person_with_role(Role.TEAM_MANAGER, email="tm@example.test")
    response = client.post(reverse("sign-in"), {"username": "tm@example.test", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert 'value="tm@example.test"' in html
    assert "<title>Error: Sign in" in html


def test_empty_sign_in_lists_each_missing_field(client, db):
    response = client.post(reverse("sign-in"), {"username": "", "password": ""})
    html = response.content.decode()
    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_pages_need_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_background_request_when_signed_out_gets_401_json(client, db):
    response = client.get(reverse("home"), headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"] == "signed-out"


def test_sign_out_is_a_post_and_ends_the_session(client, db):
    user = person_with_role(Role.PRACTITIONER)
    client.force_login(user)
    assert client.get(reverse("sign-out")).status_code == 405
    response = client.post(reverse("sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
