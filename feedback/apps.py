from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = "Voices of families, reviewing officers and the workforce"

    def ready(self) -> None:
        from . import registry

        registry.register_all()
