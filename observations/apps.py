from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observations"
    verbose_name = "Practice observations and practice weeks"

    def ready(self) -> None:
        from . import registry

        registry.register_all()
