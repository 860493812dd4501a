from django.apps import AppConfig


class BoardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "boards"
    verbose_name = "Boards and the learning loop"

    def ready(self) -> None:
        from . import registry

        registry.register_all()
