from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinics"
    verbose_name = "Clinics, boards and highlight reports"

    def ready(self) -> None:
        from . import registry

        registry.register_all()
