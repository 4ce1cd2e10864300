"""django-q2 entry points of campaigns: thin wrappers that load by id and call a service."""

from campaigns import csv_import


def import_job_run_task(job_id: int) -> dict:
    """Run (or resume) one CSV import job; the job itself records progress, outcome and failure."""
    job = csv_import.import_job_run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.rows_processed, "failed": job.rows_failed}
