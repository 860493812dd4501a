"""Notifications: a row per person and event, shown in the app and emailed with only a link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import hooks
from .jobs import job_enqueue
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
