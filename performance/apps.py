from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Performance data"

    def ready(self) -> None:
        from . import registry

        registry.register_all()
