"""Audit URLs: each views module owns its own ``urlpatterns``."""

from .views import (
    actions,
    agreement,
    allocate,
    allocation,
    calibration,
    concerns,
    detail,
    dip_samples,
    early_help,
    form,
    lists,
    moderation,
    practitioner,
    programme,
    register,
    tools,
)

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
    *allocation.urlpatterns,
    *register.urlpatterns,
    *dip_samples.urlpatterns,
    *programme.urlpatterns,
    *early_help.urlpatterns,
    *moderation.urlpatterns,
    *agreement.urlpatterns,
    *calibration.urlpatterns,
]
