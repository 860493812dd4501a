from __future__ import annotations

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse


def wants_json(request: HttpRequest) -> bool:
    """A background request (autosave, polling) rather than a page a person navigates to."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or request.headers.get("X-Requested-With") == "fetch"


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's default-deny middleware, answering background requests with 401 JSON.

    A signed-out browser's autosave would otherwise follow the redirect and receive the
    sign-in page with a 200, and could think its work was saved.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: object) -> HttpResponse:
        if wants_json(request):
            return JsonResponse(
                {"error": "signed-out", "message": "Your session has ended. Sign in again."}, status=401
            )
        return super().handle_no_permission(request, view_func)
