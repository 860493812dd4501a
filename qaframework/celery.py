"""The Celery app. Workers: ``celery -A qaframework worker``; beat: ``celery -A qaframework beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qaframework.settings")

app = Celery("qaframework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
