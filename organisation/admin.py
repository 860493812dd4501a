from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import CaseFile, DutyAssignment, RoleAssignment, ServiceArea, Team, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["team", "service_area"]


class DutyInline(admin.TabularInline):
    model = DutyAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "job_title", "is_active", "is_staff"]
    search_fields = ["full_name", "email"]
    inlines = [RoleAssignmentInline, DutyInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "external_subject_id")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "service_area"]
    list_filter = ["service_area"]
    search_fields = ["name", "code"]


@admin.register(CaseFile)
class CaseFileAdmin(SimpleHistoryAdmin):
    list_display = ["case_reference", "case_type", "team", "practitioner", "opened_on", "closed_on", "restricted"]
    list_filter = ["case_type", "restricted", "not_in_latest_extract", "team__service_area"]
    search_fields = ["case_reference", "family_reference"]
    raw_id_fields = ["practitioner", "chair"]
