from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import hooks
        from .framework import bank_holidays_load
        from .jobs import jobs_requeue_stale
        from .notifications import register as register_notifications
        from .sweeps import register_sweep

        register_sweep("requeue-stale-jobs", "hourly", lambda today, now: jobs_requeue_stale(now=now))
        hooks.register("framework-loader:bank_holidays", bank_holidays_load)
        register_notifications()
