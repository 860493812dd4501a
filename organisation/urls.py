from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("caseload/import/", views.caseload_import, name="caseload-import"),
    path("caseload/template.csv", views.caseload_template, name="caseload-template"),
    path("caseload/import/<int:batch_id>/", views.caseload_batch, name="caseload-batch"),
    path("caseload/import/<int:batch_id>/confirm/", views.caseload_batch_confirm, name="caseload-batch-confirm"),
]
