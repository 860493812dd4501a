from django.core import mail
from django.urls import reverse

from core.models import Job, Notification
from core.notifications import notify


def test_a_notification_is_a_row_shown_once_and_emailed_with_only_a_link(
    client, world, django_capture_on_commit_callbacks
):
    person = world.people["team_manager_same"]
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=person, kind="test", key="event-1", message="Something needs your attention", url="/cases/"
        )
        again = notify(recipient=person, kind="test", key="event-1", message="Something needs your attention", url="/")
    assert first is not None
    assert again is None  # the same event never notifies twice
    assert Notification.objects.filter(recipient=person).count() == 1
    assert len(mail.outbox) == 1
    # Nothing but the neutral sentence and the link: no grade, initials or case detail.
    assert mail.outbox[0].subject == "QA Framework: Something needs your attention"
    assert mail.outbox[0].body == (
        "Something needs your attention\n\nOpen it here (sign-in needed): http://127.0.0.1:8000/cases/\n"
    )
    assert Job.objects.get().status == Job.Status.DONE

    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "Messages for you" in html
    assert "Something needs your attention" in html
    client.post(reverse("notifications-read"))
    assert "Messages for you" not in client.get(reverse("home")).content.decode()


def test_other_peoples_messages_are_not_shown_or_marked_read(client, world):
    notify(recipient=world.people["team_manager_other"], kind="t", key="k", message="For team B only", url="/")
    client.force_login(world.people["team_manager_same"])
    assert "For team B only" not in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications-read"))
    assert Notification.objects.get().read_at is None


def test_a_failing_email_is_retried_then_shown_on_the_job(world, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "tests.core.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=world.people["qa_officer"], kind="t", key="k2", message="Hello", url="/")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3
    assert "ConnectionRefusedError" in job.error
    assert Notification.objects.get().emailed_at is None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_notify_many_tells_each_person_once_and_queues_one_email_each(world, django_capture_on_commit_callbacks):
    from core.notifications import Notice, notify_many

    tm, prac = world.people["team_manager_same"], world.people["practitioner_own"]
    notify(recipient=tm, kind="t", key="event-9", message="Already told", url="/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = notify_many(
            [
                Notice(tm, "t", "event-9", "Told again?", "/"),  # already told about this event
                Notice(prac, "t", "event-9", "Something for you", "/cases/", detail="CASE-A"),
                Notice(prac, "t", "event-9", "Something for you", "/cases/"),  # listed twice
            ]
        )
    assert made == 1
    assert Notification.objects.filter(key="event-9").count() == 2
    assert [m.to for m in mail.outbox] == [[prac.email]]
    assert "CASE-A" not in mail.outbox[0].body  # the detail is for the app only
