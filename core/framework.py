"""Framework content as data in versioned files, loaded by one idempotent command (STYLE.md 18).

Each local app may keep JSON files in its ``framework/`` folder. A file is one JSON object::

    {"key": "bank-holidays-england-and-wales", "version": "1", "kind": "bank_holidays",
     "title": "Bank holidays in England and Wales", "data": [...]}

The app that understands a kind registers a loader for it in its ``AppConfig.ready``::

    hooks.register("framework-loader:bank_holidays", bank_holidays_load)

A loader is called as ``loader(content=FrameworkContent, framework_file=FrameworkFile)`` inside
the load's transaction and returns how many rows it inserted. It must only insert: the content
a council has audited against must never change under it.

:func:`framework_load` records each (key, version) it loads in ``FrameworkFile`` and only
inserts pairs it has not seen. A file whose (key, version) is already loaded but whose content
differs is refused — the person editing it must bump the version — and any problem in any
file refuses the whole load, so the database never holds half a framework.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction

from . import hooks
from .models import BankHoliday, FrameworkFile

# Our own apps, in INSTALLED_APPS order (the bottom layer first, so content that a higher app's
# content refers to is loaded before it).
LOCAL_APPS = (
    "core",
    "organisation",
    "audits",
    "observations",
    "feedback",
    "performance",
    "clinics",
    "boards",
    "qaframework",
)
FRAMEWORK_FOLDER = "framework"
LOADER_HOOK = "framework-loader:{kind}"
REQUIRED_FIELDS = ("key", "version", "kind", "title", "data")
KEY_MAX = FrameworkFile._meta.get_field("key").max_length
VERSION_MAX = FrameworkFile._meta.get_field("version").max_length
SOURCE_MAX = FrameworkFile._meta.get_field("source").max_length


@dataclass(frozen=True)
class FrameworkContent:
    """One framework file, read and checked."""

    path: Path
    source: str
    key: str
    version: str
    kind: str
    title: str
    data: Any
    sha256: str


@dataclass(frozen=True)
class FrameworkOutcome:
    """What the load did with one file."""

    source: str
    key: str
    version: str
    kind: str
    status: str  # "loaded", "already loaded" or (with check) "would load"
    rows: int = 0

    def describe(self) -> str:
        detail = f" ({self.rows} rows)" if self.status != "already loaded" else ""
        return f"{self.source}: {self.status} {self.key} v{self.version} [{self.kind}]{detail}"


SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def max_length(model: type, name: str) -> int:
    """A model field's max_length, so a loader's limits follow the model."""
    return int(model._meta.get_field(name).max_length)


def text_value(value: Any, *, what: str, limit: int, required: bool = True) -> tuple[str, list[str]]:
    """A stripped text value from a framework file, and the problems with it (for loaders)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", [f"{what} must be text"]
    value = value.strip()
    if required and not value:
        return "", [f"{what} is empty"]
    if len(value) > limit:
        return value, [f"{what} is longer than {limit} characters"]
    return value, []


def list_of_dicts(data: Any, *, what: str) -> list[dict[str, Any]]:
    """A file's ``data`` as a list of objects, or the whole file is refused."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FrameworkError([f"'data' must be a list of {what}"])
    return data


def versioned_item_problems(items: list[dict[str, Any]], *, noun: str) -> list[str]:
    """Problems with the ``key`` (a slug) and ``version`` (a whole number from 1) of each item of a
    file that holds several separately versioned things (checklists, questionnaires), and with
    any (key, version) given twice."""
    problems = []
    pairs = []
    for index, item in enumerate(items, start=1):
        key, version = item.get("key"), item.get("version")
        if not isinstance(key, str) or not SLUG.match(key):
            problems.append(f"{noun} {index}: 'key' must be a slug")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            problems.append(f"{noun} {key or index}: 'version' must be a whole number from 1")
        pairs.append((str(key), str(version)))
    if len(set(pairs)) != len(pairs):
        problems.append(f"every {noun} needs a different (key, version)")
    return problems


class FrameworkError(Exception):
    """Framework content that cannot be loaded. ``problems`` names each file and what is wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def framework_dirs() -> list[Path]:
    """The ``framework/`` folders of our apps, in INSTALLED_APPS order."""
    dirs = []
    for config in apps.get_app_configs():
        if config.name in LOCAL_APPS:
            folder = Path(config.path) / FRAMEWORK_FOLDER
            if folder.is_dir():
                dirs.append(folder)
    return dirs


def _source_for(path: Path) -> str:
    """The path as recorded: relative to the project when it is inside it, so rows read the
    same on every machine."""
    try:
        text = str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        text = str(path)
    return text[-SOURCE_MAX:]


def content_sha256(document: dict[str, Any]) -> str:
    """The checksum of a file's content, not its bytes: re-indenting a file or a checkout that
    changes line endings is not a change of content; any change of a value is."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _read_one(path: Path) -> tuple[FrameworkContent | None, list[str]]:
    source = _source_for(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [f"{source}: is not UTF-8 text"]
    except json.JSONDecodeError as exc:
        return None, [f"{source}: is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]
    if not isinstance(document, dict):
        return None, [f"{source}: must hold one JSON object with {', '.join(REQUIRED_FIELDS)}"]
    problems = [f"{source}: has no {name!r}" for name in REQUIRED_FIELDS if name not in document]
    for name in ("key", "kind", "title"):
        if name in document and (not isinstance(document[name], str) or not document[name].strip()):
            problems.append(f"{source}: {name!r} must be a non-empty string")
    version = document.get("version")
    if "version" in document and (isinstance(version, bool) or not isinstance(version, str | int) or version == ""):
        problems.append(f"{source}: 'version' must be a non-empty string or a whole number")
    if problems:
        return None, problems
    key, version, kind = document["key"].strip(), str(document["version"]).strip(), document["kind"].strip()
    if len(key) > KEY_MAX:
        problems.append(f"{source}: 'key' is longer than {KEY_MAX} characters")
    if len(version) > VERSION_MAX:
        problems.append(f"{source}: 'version' is longer than {VERSION_MAX} characters")
    if not hooks.registered(LOADER_HOOK.format(kind=kind)):
        problems.append(f"{source}: unknown kind {kind!r} (no app registers a loader for it)")
    if problems:
        return None, problems
    content = FrameworkContent(
        path=path,
        source=source,
        key=key,
        version=version,
        kind=kind,
        title=document["title"].strip(),
        data=document["data"],
        sha256=content_sha256(document),
    )
    return content, []


def framework_files_read(*, dirs: Iterable[Path]) -> list[FrameworkContent]:
    """Read and check every ``*.json`` file in ``dirs`` (in order; files by name within a folder).

    Raises :class:`FrameworkError` listing every problem found, so one run shows them all.
    """
    contents: list[FrameworkContent] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.json")):
            content, file_problems = _read_one(path)
            problems.extend(file_problems)
            if content is None:
                continue
            pair = (content.key, content.version)
            if pair in seen:
                problems.append(
                    f"{content.source}: {content.key} v{content.version} is also in {seen[pair]}; "
                    "each (key, version) must be in one file"
                )
                continue
            seen[pair] = content.source
            contents.append(content)
    if problems:
        raise FrameworkError(problems)
    return contents


def _call_loader(content: FrameworkContent, framework_file: FrameworkFile) -> int:
    loaders = hooks.registered(LOADER_HOOK.format(kind=content.kind))
    if len(loaders) != 1:
        raise FrameworkError([f"{content.source}: {len(loaders)} loaders are registered for kind {content.kind!r}"])
    try:
        # A savepoint, so a database error in one loader is reported against its file.
        with transaction.atomic():
            rows = loaders[0](content=content, framework_file=framework_file)
    except FrameworkError as exc:
        raise FrameworkError([f"{content.source}: {problem}" for problem in exc.problems]) from exc
    except (ValueError, TypeError, LookupError, DatabaseError) as exc:
        raise FrameworkError([f"{content.source}: {type(exc).__name__}: {exc}"]) from exc
    return int(rows or 0)


def framework_load(*, dirs: Iterable[Path] | None = None, check: bool = False) -> list[FrameworkOutcome]:
    """Load every framework file not loaded before, in one transaction.

    ``dirs`` defaults to every local app's ``framework/`` folder (tests pass a temporary one).
    With ``check=True`` everything is read, compared and loaded as usual — so a loader's own
    checks of its data run too — and then rolled back: nothing is written.

    Raises :class:`FrameworkError` (and writes nothing) when any file is malformed, of an
    unknown kind, refused by its loader, or changed without a new version.
    """
    contents = framework_files_read(dirs=framework_dirs() if dirs is None else dirs)
    outcomes: list[FrameworkOutcome] = []
    with transaction.atomic():
        loaded = {
            (row.key, row.version): row
            for row in FrameworkFile.objects.filter(key__in={c.key for c in contents}).order_by("pk")
        }
        problems = []
        for content in contents:
            existing = loaded.get((content.key, content.version))
            if existing is not None and existing.sha256 != content.sha256:
                problems.append(
                    f"{content.source}: {content.key} v{content.version} was loaded on "
                    f"{existing.loaded_at:%d %B %Y} with different content. Loaded content never changes: "
                    "give the file a new version (and a new file name) for the change"
                )
        if problems:
            raise FrameworkError(problems)
        for content in contents:
            base = {"source": content.source, "key": content.key, "version": content.version, "kind": content.kind}
            if (content.key, content.version) in loaded:
                outcomes.append(FrameworkOutcome(**base, status="already loaded"))
                continue
            framework_file = FrameworkFile.objects.create(
                key=content.key, version=content.version, source=content.source, sha256=content.sha256
            )
            rows = _call_loader(content, framework_file)
            outcomes.append(FrameworkOutcome(**base, status="would load" if check else "loaded", rows=rows))
        if check:
            transaction.set_rollback(True)
    return outcomes


# --- loaders for core's own kinds ----------------------------------------------------------------
def bank_holidays_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the bank holidays whose dates are not in the table yet; never change one that is
    (an administrator may have named a one-off holiday before the file was updated)."""
    if not isinstance(content.data, list):
        raise FrameworkError(["'data' must be a list of {'date': 'YYYY-MM-DD', 'name': ...}"])
    wanted: dict[datetime.date, str] = {}
    problems: list[str] = []
    for index, item in enumerate(content.data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("date"), str) or not item.get("name"):
            problems.append(f"item {index} must have a 'date' (YYYY-MM-DD) and a 'name'")
            continue
        try:
            day = datetime.date.fromisoformat(item["date"])
        except ValueError:
            problems.append(f"item {index}: {item['date']!r} is not a date (YYYY-MM-DD)")
            continue
        if day in wanted:
            problems.append(f"item {index}: {day.isoformat()} is listed twice")
        wanted[day] = str(item["name"])[: BankHoliday._meta.get_field("name").max_length]
    if problems:
        raise FrameworkError(problems)
    present = set(BankHoliday.objects.filter(date__in=wanted).values_list("date", flat=True))
    new = [BankHoliday(date=day, name=name) for day, name in sorted(wanted.items()) if day not in present]
    BankHoliday.objects.bulk_create(new, batch_size=500)
    if new:
        from .workdays import clear_cache

        # Now, for reads later in this process, and again after commit, in case something read
        # the table in between and cached holidays that might yet be rolled back.
        clear_cache()
        transaction.on_commit(clear_cache)
    return len(new)
