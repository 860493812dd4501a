from django.contrib import admin

from audits.admin import ReadOnlyAdmin

from .models import DisputeStage, Questionnaire, ReviewingOfficerAlert, VoiceEntry


# --- questionnaires (participation) ---------------------------------------------------------------
@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    """Loaded from versioned framework files and never edited in place: a response keeps the
    version it answered. A council's own questionnaire is a new file with a new version."""

    list_display = ("title", "key", "version", "audience", "example_content")
    list_filter = ("audience",)


# --- alerts and voices --------------------------------------------------------------------------------
class _ReadOnlyAdmin(admin.ModelAdmin):
    """Recorded through the service's own pages (with their rules and history): read only here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if not admin.site.is_registered(DisputeStage):

    @admin.register(DisputeStage)
    class DisputeStageAdmin(admin.ModelAdmin):
        """The Administrator edits the dispute-resolution stages; only active ones are offered."""

        list_display = ("name", "key", "position", "active")
        list_editable = ("position", "active")
        ordering = ("position", "name")


@admin.register(ReviewingOfficerAlert)
class ReviewingOfficerAlertAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "kind", "meeting_on", "theme", "stage", "resolved_on")
    list_filter = ("kind", "stage", "theme")
    date_hierarchy = "meeting_on"


@admin.register(VoiceEntry)
class VoiceEntryAdmin(_ReadOnlyAdmin):
    list_display = ("title", "source", "happened_on", "service_area")
    list_filter = ("source",)
    date_hierarchy = "happened_on"
    # Survey results are read through the service's pages, which withhold them below 10 answers.
    exclude = ("results",)
