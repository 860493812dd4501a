"""Baskets and dashboards (seed 8: "baskets, never single numbers"): the list of baskets and one
basket for a scope and a month."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from ..forms_baskets import BasketFilterForm
from ..permissions import can_read_baskets
from ..selectors_baskets import LOW_N, basket_frame, basket_page, baskets_overview


@require_GET
def basket_list(request: HttpRequest) -> HttpResponse:
    """The five baskets and the team basics, each with how many measures it holds."""
    if not can_read_baskets(request.scope):
        raise PermissionDenied
    return render(request, "performance/baskets/list.html", {"baskets": baskets_overview()})


@require_GET
def basket_detail(request: HttpRequest, basket: str) -> HttpResponse:
    """One basket for a scope the person may read (another's answers 404) and a month."""
    scope = request.scope
    if not can_read_baskets(scope):
        raise PermissionDenied
    frame = basket_frame(scope=scope, basket=basket, scope_key=request.GET.get("scope"))
    form = BasketFilterForm(request.GET, frame=frame)
    page = basket_page(frame=frame, month=form.chosen_month())
    return render(
        request,
        "performance/baskets/detail.html",
        {"page": page, "frame": frame, "form": form, "has_errors": bool(form.errors), "low_n": LOW_N},
    )


urlpatterns: list[URLPattern] = [
    path("baskets/", basket_list, name="basket-list"),
    path("baskets/<slug:basket>/", basket_detail, name="basket"),
]
