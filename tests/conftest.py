"""Shared fixtures: the service markers, personas, one browser per run, axe, the Celery worker."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from organisation.models import CaseFile, CaseType, Role, ServiceArea, Team, User

from .factories import CaseFileFactory, ServiceAreaFactory, TeamFactory, person_with_role

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --- service markers ----------------------------------------------------------------------------
def _redis_available() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL does not answer ({exc})"
    return None


def _postgres_available() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL is not PostgreSQL"
    return None


def _browser_available() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (make test installs Debian's chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not installed ({exc})"
    if not (ROOT / "static" / "build" / "app.css").exists():
        return "static/build/app.css is missing: run make assets"
    return None


_CHECKS: dict[str, Callable[[], str | None]] = {
    "postgres": _postgres_available,
    "redis": _redis_available,
    "worker": _redis_available,
    "browser": _browser_available,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache: dict[str, str | None] = {}
    for item in items:
        for name, check in _CHECKS.items():
            if item.get_closest_marker(name) is None:
                continue
            if name not in cache:
                cache[name] = check()
            reason = cache[name]
            if reason is None:
                continue
            if settings.QA_REQUIRE_SERVICES:
                # CI: a missing service is a failure, never a quiet skip.
                item.user_properties.append(("required_service_missing", f"{name}: {reason}"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"{name}: {reason}"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for key, reason in item.user_properties:
        if key == "required_service_missing":
            pytest.fail(f"QA_REQUIRE_SERVICES=1 but a required service is missing: {reason}", pytrace=False)


# --- tasks run in-process unless a test asks for the real worker --------------------------------
@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    from qaframework.celery import app

    eager = "celery_worker" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_bank_holiday_cache() -> Iterator[None]:
    # Bank holidays are cached per process; each test's database starts without them.
    from core.workdays import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _email_backend(settings: pytest.FixtureRequest) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- personas -----------------------------------------------------------------------------------
@dataclass
class World:
    """A small synthetic authority with one person per persona and a few case files.

    Area A has teams A1 and A2, area B has team B1, Early Help has team EH1. ``case_a`` is in A1,
    worked by ``practitioner_own`` and chaired by ``conference_chair``; ``case_b`` is in B1.
    """

    area_a: ServiceArea
    area_b: ServiceArea
    area_eh: ServiceArea
    team_a1: Team
    team_a2: Team
    team_b1: Team
    team_eh1: Team
    people: dict[str, User] = field(default_factory=dict)
    case_a: CaseFile | None = None
    case_b: CaseFile | None = None
    case_restricted: CaseFile | None = None
    case_eh: CaseFile | None = None


PERSONAS = (
    "practitioner_own",
    "practitioner_other",
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "conference_chair",
    "iro",
    "qa_officer",
    "qa_manager",
    "participation_officer",
    "principal_social_worker",
    "bi_officer",
    "early_help_coordinator",
    "early_help_strategic_lead",
    "partner_contributor",
    "administrator",
)


@pytest.fixture
def world(db: None) -> World:
    area_a = ServiceAreaFactory(code="area-a")
    area_b = ServiceAreaFactory(code="area-b")
    area_eh = ServiceAreaFactory(code="early-help")
    w = World(
        area_a=area_a,
        area_b=area_b,
        area_eh=area_eh,
        team_a1=TeamFactory(code="a1", service_area=area_a),
        team_a2=TeamFactory(code="a2", service_area=area_a),
        team_b1=TeamFactory(code="b1", service_area=area_b),
        team_eh1=TeamFactory(code="eh1", service_area=area_eh),
    )
    p = w.people
    p["practitioner_own"] = person_with_role(Role.PRACTITIONER, team=w.team_a1, email="prac.own@example.test")
    p["practitioner_other"] = person_with_role(Role.PRACTITIONER, team=w.team_b1, email="prac.other@example.test")
    p["team_manager_same"] = person_with_role(
        Role.TEAM_MANAGER, team=w.team_a1, email="tm.same@example.test", duties=("auditor",)
    )
    p["team_manager_other"] = person_with_role(Role.TEAM_MANAGER, team=w.team_b1, email="tm.other@example.test")
    p["service_manager_same"] = person_with_role(Role.SERVICE_MANAGER, area=area_a, email="sm.same@example.test")
    p["service_manager_other"] = person_with_role(Role.SERVICE_MANAGER, area=area_b, email="sm.other@example.test")
    p["head_of_service"] = person_with_role(Role.HEAD_OF_SERVICE, area=area_a, email="hos@example.test")
    p["assistant_director"] = person_with_role(Role.ASSISTANT_DIRECTOR, email="ad@example.test")
    p["director"] = person_with_role(Role.DIRECTOR, email="director@example.test")
    p["conference_chair"] = person_with_role(Role.CONFERENCE_CHAIR, email="chair@example.test")
    p["iro"] = person_with_role(Role.IRO, email="iro@example.test")
    p["qa_officer"] = person_with_role(Role.QA_OFFICER, email="qa.officer@example.test", duties=("moderator",))
    p["qa_manager"] = person_with_role(Role.QA_MANAGER, email="qa.manager@example.test")
    p["participation_officer"] = person_with_role(Role.PARTICIPATION_OFFICER, email="participation@example.test")
    p["principal_social_worker"] = person_with_role(Role.PSW, email="psw@example.test")
    p["bi_officer"] = person_with_role(Role.BI_OFFICER, email="bi@example.test")
    p["early_help_coordinator"] = person_with_role(Role.EH_COORDINATOR, team=w.team_eh1, email="ehc@example.test")
    p["early_help_strategic_lead"] = person_with_role(Role.EH_STRATEGIC_LEAD, area=area_eh, email="ehl@example.test")
    p["partner_contributor"] = person_with_role(Role.PARTNER_CONTRIBUTOR, email="partner@example.test")
    p["administrator"] = person_with_role(Role.ADMINISTRATOR, email="admin@example.test", is_staff=True)
    w.case_a = CaseFileFactory(
        case_reference="CASE-A", team=w.team_a1, practitioner=p["practitioner_own"], chair=p["conference_chair"]
    )
    w.case_b = CaseFileFactory(case_reference="CASE-B", team=w.team_b1, practitioner=p["practitioner_other"])
    w.case_restricted = CaseFileFactory(
        case_reference="CASE-R", team=w.team_a1, practitioner=p["practitioner_own"], restricted=True
    )
    w.case_eh = CaseFileFactory(case_reference="CASE-EH", team=w.team_eh1, case_type=CaseType.EARLY_HELP)
    return w


# --- browser ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, live_server: object) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    # Console errors include Content-Security-Policy violations (an inline script or style).
    pg.console_errors = []
    pg.on("console", lambda msg: pg.console_errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture
def sign_in_as(page: object, live_server: object) -> Callable[[User], object]:
    """Sign a browser page in by copying a ``force_login`` session cookie (fast)."""
    from django.test import Client

    def _sign_in(user: User) -> object:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        host = live_server.url.split("//", 1)[1].split(":")[0]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "domain": host, "path": "/"}]
        )
        return page

    return _sign_in


def axe_violations(pg: object) -> list[dict]:
    """Run axe-core in the page; return violations (WCAG 2.x A and AA, 2.2 included)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        pg,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}},
    )
    return results.response["violations"]


@pytest.fixture
def axe_check() -> Callable[[object], None]:
    def _check(pg: object) -> None:
        violations = axe_violations(pg)
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
        ]
        assert not violations, f"axe found accessibility problems on {pg.url}:\n" + "\n".join(summary)
        errors = getattr(pg, "console_errors", [])
        assert not errors, f"the browser reported errors on {pg.url} (CSP or script): {errors}"

    return _check


@pytest.fixture
def tab_to() -> Callable[[object, str], None]:
    """Press Tab until the element matching ``selector`` has focus: proves keyboard reach."""

    def _tab_to(pg: object, selector: str, limit: int = 60) -> None:
        target = pg.locator(selector).first
        for _ in range(limit):
            pg.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Could not reach {selector} with the Tab key in {limit} presses")

    return _tab_to


# --- a real Celery worker -----------------------------------------------------------------------
def _database_url_for_worker() -> str:
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    # Quoted: a password with '@', ':' or '/' would otherwise break the URL.
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextlib.contextmanager
def running_celery_worker(name: str) -> Iterator[subprocess.Popen]:
    """Start a real Celery worker (solo pool) on the test database and Redis; stop it on exit.

    ``name`` makes its node name and its log (``.cache/test-<name><suffix>.log``) its own."""
    from qaframework.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "qaframework.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    # One log per QA_TEST_DB_SUFFIX, like the test database, so parallel runs keep their own.
    suffix = os.environ.get("QA_TEST_DB_SUFFIX", "").strip()
    (ROOT / ".cache").mkdir(exist_ok=True)
    node = f"{name}-{os.getpid()}@qa-test"
    with open(ROOT / ".cache" / f"test-{name}{suffix}.log", "w") as log:
        proc = subprocess.Popen(
            [
                celery,
                "-A",
                "qaframework",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                "-n",
                node,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.node = node  # for tests that address this worker
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"Celery worker exited; see {log.name}")
                # Ping this worker by name: another worker on the same Redis database answering
                # would otherwise start the test before this one is listening.
                if app.control.ping(destination=[node], timeout=0.5):
                    break
            else:
                raise RuntimeError("Celery worker did not answer ping within 60 s")
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[subprocess.Popen]:
    from qaframework.celery import app

    app.control.purge()
    with running_celery_worker("worker") as proc:
        yield proc


@pytest.fixture
def celery_worker(_celery_worker_process: subprocess.Popen, transactional_db: None) -> subprocess.Popen:
    """A real worker on real Redis sharing the test database. Tasks queued in the test run there."""
    return _celery_worker_process


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.2) -> bool:
    """Poll until ``predicate()`` is true (for work done by another process). Not a timing check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
