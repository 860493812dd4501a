"""The environment every benchmark script runs in: Django on its own throwaway SQLite file under
.cache/, tasks in-process, email kept in memory. Import it first, before anything from Django."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database(name: str) -> Path:
    """Point Django at ``.cache/bench-<name>.sqlite3`` and return its path."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    db = ROOT / ".cache" / f"bench-{name}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qaframework.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    return db
