"""The learning loop's pages, mounted in the boards namespace at /boards/ (see boards/views/learning.py)."""

from __future__ import annotations

from .views.learning import urlpatterns

__all__ = ["urlpatterns"]
