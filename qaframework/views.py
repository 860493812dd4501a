"""Pages that gather from every app: the health probe and "my work"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audits import mywork as audit_work
from clinics import mywork as meeting_work
from core.models import Notification
from core.notifications import notifications_mark_read
from core.public import public
from feedback import mywork as feedback_work
from observations import mywork as observation_work
from organisation import permissions as organisation_permissions
from organisation import selectors as organisation_selectors

from .programme_links import programme_links


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down" to a probe
        return "down"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return "down"
    return "ok"


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public probe for load balancers: 200 when the database (and Redis, if configured) answer."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My work: what this person has to do or look at, and nothing that is not real."""
    scope = request.scope
    context = {
        "scope": scope,
        "case_summary": organisation_selectors.case_file_home_summary(scope),
        "can_import": organisation_permissions.can_import_caseload(scope),
        "audits": audit_work.my_work(scope, today=scope.today),
        "observation_work": observation_work.my_work(scope),
        "feedback_work": feedback_work.my_work(scope),
        "meeting_work": meeting_work.my_work(scope),
        "programme_links": programme_links(scope),
        "notifications": list(
            Notification.objects.filter(recipient=request.user, read_at__isnull=True).order_by("-created_at")[:10]
        ),
    }
    return render(request, "qaframework/home.html", context)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the person's messages as read (all of them, or the one named)."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    count = notifications_mark_read(recipient=request.user, ids=ids)
    messages.success(request, f"{count} message{'s' if count != 1 else ''} marked as read.")
    return redirect("home")
