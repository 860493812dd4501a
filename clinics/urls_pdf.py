"""Report PDFs: progress, downloads, draft prints and every team report at once."""

from django.urls import path

from .views import pdf

urlpatterns = [
    path("pdf/jobs/<int:job_id>/", pdf.pdf_job, name="pdf-job"),
    path("pdf/jobs/<int:job_id>/status/", pdf.pdf_job_status, name="pdf-job-status"),
    path("pdf/jobs/<int:job_id>/retry/", pdf.pdf_job_retry, name="pdf-job-retry"),
    path("pdf/files/<int:file_id>/", pdf.pdf_download, name="pdf-download"),
    path("pdf/reports/<int:report_id>/draft/", pdf.pdf_report_draft, name="pdf-report-draft"),
    path("pdf/versions/<int:version_id>/", pdf.pdf_version, name="pdf-version"),
    path("pdf/team-reports/", pdf.pdf_batch_new, name="pdf-batch-new"),
    path("pdf/team-reports/<int:batch_id>/", pdf.pdf_batch, name="pdf-batch"),
    path("pdf/team-reports/<int:batch_id>/status/", pdf.pdf_batch_status, name="pdf-batch-status"),
    path("pdf/team-reports/<int:batch_id>/zip/", pdf.pdf_batch_zip, name="pdf-batch-zip"),
]
