"""Observation and practice-week URLs: each views module owns its own ``urlpatterns``."""

from .views import observations, weeks

app_name = "observations"

urlpatterns = [
    *observations.urlpatterns,
    *weeks.urlpatterns,
]
