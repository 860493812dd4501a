"""Writes for organisation: caseload import batches (check, then confirm)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.csvio import Problem
from core.jobs import job_enqueue
from core.models import AccessLog, ImportBatch, Job

from .caseload import CaseloadRefused, caseload_check, caseload_import
from .models import User

CASELOAD_JOB = "caseload_import"


class BatchStateError(Exception):
    pass


@transaction.atomic
def caseload_batch_create(*, file_name: str, text: str, full_extract: bool, actor: User) -> ImportBatch:
    """Keep an uploaded caseload file and record what it would do."""
    check = caseload_check(text=text, full_extract=full_extract)
    return ImportBatch.objects.create(
        kind=ImportBatch.Kind.CASELOAD,
        file_name=file_name[:255],
        # Least data: a refused file is not kept; the person uploads the corrected one.
        content=text if check.ok else "",
        options={"full_extract": full_extract},
        status=ImportBatch.Status.CHECKED if check.ok else ImportBatch.Status.REFUSED,
        problems=[p.as_dict() for p in check.problems],
        warnings=[w.as_dict() for w in check.warnings],
        summary={
            "rows": len(check.rows),
            "to_create": check.to_create,
            "to_update": check.to_update,
            "unchanged": check.unchanged,
            "to_flag": check.to_flag,
        },
        uploaded_by=actor,
    )


@transaction.atomic
def caseload_batch_confirm(*, batch_id: int, actor: User) -> ImportBatch:
    """Queue the import of a checked batch. Only a checked batch can be confirmed, once."""
    updated = ImportBatch.objects.filter(
        pk=batch_id, kind=ImportBatch.Kind.CASELOAD, status=ImportBatch.Status.CHECKED
    ).update(status=ImportBatch.Status.QUEUED, confirmed_at=timezone.now())
    if not updated:
        raise BatchStateError("This import has already been confirmed, or it has problems to fix first.")
    job_enqueue(kind=CASELOAD_JOB, key=f"caseload-import:{batch_id}", payload={"batch_id": batch_id}, actor=actor)
    return ImportBatch.objects.get(pk=batch_id)


def caseload_batch_run(*, job: Job) -> dict[str, int]:
    """Job handler: re-validate the kept file and import it. A file that no longer checks out
    clean (a team was removed since) is refused with its problems listed, and nothing written."""
    batch = ImportBatch.objects.select_for_update().get(pk=job.payload["batch_id"])
    if batch.status != ImportBatch.Status.QUEUED:
        return {"skipped": 1}
    try:
        result = caseload_import(
            text=batch.content, full_extract=bool(batch.options.get("full_extract")), actor=batch.uploaded_by
        )
    except CaseloadRefused as refused:
        batch.status = ImportBatch.Status.REFUSED
        batch.problems = [p.as_dict() for p in refused.check.problems]
        batch.warnings = [w.as_dict() for w in refused.check.warnings]
        batch.content = ""
        batch.save(update_fields=["status", "problems", "warnings", "content"])
        return {"refused": len(refused.check.problems)}
    batch.status = ImportBatch.Status.IMPORTED
    batch.summary = {**batch.summary, "result": result.as_dict()}
    # The warnings of the check made at confirm, which is what was imported.
    batch.warnings = [w.as_dict() for w in result.warnings]
    # Least data: once imported, the file's case references and initials are not kept twice.
    batch.content = ""
    batch.save(update_fields=["status", "summary", "warnings", "content"])
    AccessLog.objects.create(
        user=batch.uploaded_by, action=AccessLog.Action.IMPORT, object_type="caseload", object_ref=str(batch.pk)
    )
    return result.as_dict()


def caseload_batch_failed(*, job: Job, final: bool) -> None:
    if final:
        ImportBatch.objects.filter(pk=job.payload["batch_id"]).update(status=ImportBatch.Status.FAILED)


def batch_problems(batch: ImportBatch) -> list[Problem]:
    return [Problem.from_dict(p) for p in batch.problems]


def batch_warnings(batch: ImportBatch) -> list[Problem]:
    return [Problem.from_dict(p) for p in batch.warnings]
