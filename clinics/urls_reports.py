"""Highlight report pages (URL names ``report-*``, paths under ``reports/``)."""

from __future__ import annotations

from django.urls import path

from .views import reports

_REPORT = "reports/<str:kind>/<str:code>/<str:month>/"

urlpatterns: list = [
    path("reports/", reports.report_list, name="report-list"),
    path(_REPORT, reports.report_detail, name="report-detail"),
    path(f"{_REPORT}preview/", reports.report_preview, name="report-preview"),
    path(f"{_REPORT}finalise/", reports.report_finalise, name="report-finalise"),
    path(f"{_REPORT}reopen/", reports.report_reopen, name="report-reopen"),
    path(f"{_REPORT}appendix/", reports.report_appendix, name="report-appendix"),
]
