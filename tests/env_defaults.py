"""Environment defaults for the test process, loaded as a pytest plugin before Django starts.

Only defaults: a CI run's DATABASE_URL, REDIS_URL and QA_REQUIRE_SERVICES win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-the-deploy-check-000")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("QA_FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("AUTHORITY_NAME", "Testshire Council")
# Playwright's sync API runs an event loop in the test thread; the ORM would refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
