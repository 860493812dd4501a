"""Notifications: a row per person and event, shown in the app and emailed with only a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import hooks
from .jobs import job_enqueue, queue_job_on_commit
from .models import Job, Notification

EMAIL_JOB = "send_notification_email"


def notify(
    *, recipient: Any, kind: str, key: str, message: str, url: str, email: bool = True, detail: str = ""
) -> Notification | None:
    """Record a notification once per (recipient, key) and queue its email after commit.

    ``message`` must be neutral and carry no grade or initials: it is emailed. ``detail`` (a case
    reference, a due date) is shown in the app only. Returns None when this person was already
    told about this event.
    """
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key,
        defaults={"kind": kind, "message": message, "url": url, "email": email, "detail": detail[:300]},
    )
    if not created:
        return None
    if email and recipient.email:
        job_enqueue(kind=EMAIL_JOB, key=f"email:{notification.pk}", payload={"notification_id": notification.pk})
    return notification


@dataclass(frozen=True)
class Notice:
    """One notification to make, for :func:`notify_many`."""

    recipient: Any
    kind: str
    key: str
    message: str
    url: str
    detail: str = ""
    email: bool = True


def notify_many(notices: list[Notice]) -> int:
    """:func:`notify` for many people at once (a month's allocation): the same rules — once per
    (recipient, key), emails queued after commit — in a few queries instead of several each.
    Returns how many notifications were made."""
    if not notices:
        return 0
    keys = {n.key for n in notices}
    seen = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    new: list[Notification] = []
    for n in notices:
        if (n.recipient.pk, n.key) in seen:
            continue
        seen.add((n.recipient.pk, n.key))
        new.append(
            Notification(
                recipient=n.recipient,
                kind=n.kind,
                key=n.key,
                message=n.message,
                url=n.url,
                detail=n.detail[:300],
                email=n.email,
            )
        )
    made = Notification.objects.bulk_create(new)
    emailed = [n for n in made if n.email and n.recipient.email]
    jobs = Job.objects.bulk_create(
        [Job(kind=EMAIL_JOB, key=f"email:{n.pk}", payload={"notification_id": n.pk}) for n in emailed]
    )
    for job in jobs:
        queue_job_on_commit(job.pk)
    return len(made)


def notification_email_send(*, job: Job) -> dict[str, int]:
    """Job handler: send one notification email (once; a retry after success sends nothing)."""
    notification = Notification.objects.select_related("recipient").get(pk=job.payload["notification_id"])
    if notification.emailed_at:
        return {"sent": 0}
    link = f"{settings.SITE_URL}{notification.url}"
    send_mail(
        subject=f"{settings.SERVICE_NAME}: {notification.message}",
        message=f"{notification.message}\n\nOpen it here (sign-in needed): {link}\n",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return {"sent": 1}


def notifications_mark_read(*, recipient: Any, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def register() -> None:
    hooks.register(f"job:{EMAIL_JOB}", notification_email_send)
