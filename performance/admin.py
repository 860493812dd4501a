"""Administration of the indicator catalogue and the population: read-mostly, with history.

Targets, owners, briefs and local indicators are changed on the catalogue pages by BI and the
QA team (services check the rules there); the administrator can look, and correct a name."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, Population


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "type", "demand_measure", "target_allowed", "target", "local", "active")
    list_filter = ("type", "demand_measure", "target_allowed", "local", "example_content", "active")
    search_fields = ("code", "name", "seed_measure")
    # The rules that make a definition (a demand measure takes no target; a local one has an
    # owner) are kept by the catalogue pages' services, so only the name and whether it is
    # shown are changed here.
    readonly_fields = (
        "code",
        "brief",
        "seed_measure",
        "sources",
        "owner",
        "type",
        "unit",
        "numerator",
        "denominator",
        "period_rule",
        "baskets",
        "demand_measure",
        "target_allowed",
        "target",
        "direction",
        "lowest_scope",
        "estimate_key",
        "local",
        "example_content",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Figures, estimates and signals refer to indicators (PROTECT): retire one with "active".
        return False


@admin.register(Population)
class PopulationAdmin(SimpleHistoryAdmin):
    list_display = ("year", "aged_0_to_17", "source", "updated_by")
    readonly_fields = ("year", "aged_0_to_17", "source", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
