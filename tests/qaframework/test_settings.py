"""Settings read from the environment: a bad value stops start-up and names the variable.

Each case starts a fresh Python with an environment built from scratch, as an operator's
process manager would, so nothing from the test run leaks in.
"""

from __future__ import annotations

import json
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_SECRET = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "time_zone": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
    "debug": settings.DEBUG,
}))
"""


def _env(tmp_path: Path, **values: str | None) -> dict[str, str]:
    """A production-like environment (DEBUG off) that starts cleanly, changed by ``values``;
    a value of None removes the variable."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "qaframework.settings",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "qa.example.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'settings-test.sqlite3'}",
    }
    env.update(values)
    return {name: value for name, value in env.items() if value is not None}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The timeout is a hang guard only.
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _setup(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["-c", "import django; django.setup()"], env)


def _settings(env: dict[str, str]) -> dict[str, object]:
    result = _run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_baseline_environment_starts(tmp_path):
    """The cases below differ from this one by one variable, so each failure is that variable's."""
    result = _setup(_env(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("values", "named"),
    [
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-not-a-boolean"),
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY", id="secret-key-missing"),
        pytest.param({"SECRET_KEY": "too-short-for-production"}, "SECRET_KEY", id="secret-key-short"),
        pytest.param({"DATABASE_URL": "mysql://qa:pw@127.0.0.1:3306/qa"}, "DATABASE_URL", id="database-mysql"),
        pytest.param({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL", id="redis-not-redis"),
        pytest.param({"CONN_MAX_AGE": "abc"}, "CONN_MAX_AGE", id="conn-max-age-not-a-number"),
        pytest.param({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS", id="allowed-hosts-empty"),
        pytest.param({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS", id="allowed-hosts-missing"),
    ],
)
def test_a_bad_value_stops_start_up_and_names_the_variable(tmp_path, values, named):
    result = _setup(_env(tmp_path, **values))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert named in last_line, result.stderr


def test_the_deploy_check_passes_with_production_values(tmp_path):
    env = _env(tmp_path, HTTPS="1", STATIC_MANIFEST="1")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_objects_to_plain_http_in_production(tmp_path):
    """The check above passes because HTTPS is on, not because the check sees nothing."""
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path))
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_without_redis_tasks_run_in_process_and_the_cache_is_the_database(tmp_path):
    values = _settings(_env(tmp_path))
    assert values["eager"] is True
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"


def test_with_redis_tasks_go_to_the_broker(tmp_path):
    values = _settings(_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3"))
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_time_is_london_time(tmp_path):
    values = _settings(_env(tmp_path))
    assert values["time_zone"] == "Europe/London"
    assert values["use_tz"] is True


def test_debug_on_needs_no_secret_key(tmp_path):
    """The demo (DEBUG=1) starts with nothing configured; production does not."""
    values = _settings(_env(tmp_path, DEBUG="1", SECRET_KEY=None, ALLOWED_HOSTS=None))
    assert values["debug"] is True
