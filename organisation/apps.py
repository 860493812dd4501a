from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from core import hooks

        from .services import CASELOAD_JOB, caseload_batch_failed, caseload_batch_run

        hooks.register(f"job:{CASELOAD_JOB}", caseload_batch_run)
        hooks.register(f"job-failed:{CASELOAD_JOB}", caseload_batch_failed)
