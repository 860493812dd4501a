"""Audit URLs: each views module owns its own ``urlpatterns``."""

from .views import actions, allocate, concerns, detail, form, lists, practitioner, tools

app_name = "audits"

urlpatterns = [
    *lists.urlpatterns,
    *allocate.urlpatterns,
    *detail.urlpatterns,
    *form.urlpatterns,
    *practitioner.urlpatterns,
    *actions.urlpatterns,
    *concerns.urlpatterns,
    *tools.urlpatterns,
]
