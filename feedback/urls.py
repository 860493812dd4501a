"""Feedback URLs for signed-in staff: each views module owns its own ``urlpatterns``."""

from .views import alerts, links, participation, reports, triage, voices

app_name = "feedback"

urlpatterns = [
    *participation.urlpatterns,
    *links.urlpatterns,
    *triage.urlpatterns,
    *reports.urlpatterns,
    *alerts.urlpatterns,
    *voices.urlpatterns,
]
