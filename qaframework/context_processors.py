from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "navigation": navigation_for(request),
    }
