"""One job: read it, poll its status, get its results, cancel it (SPEC section 5)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from ..errors import JSendFail
from ..models import FINAL_STATUSES, RESPONSE_FIELDS, Job
from ..results import result_for
from ..schemas import JobSchema
from . import current_mock

blueprint = Blueprint("job", __name__)
JOB = JobSchema(only=(*RESPONSE_FIELDS, "sequence"))


def success(data: Any) -> Response:
    return jsonify(status="success", message="OK.", code="200", data=data)


def find(job_id: str) -> Job:
    job = current_mock().store.get(job_id)
    if job is None:
        raise JSendFail(404, f"Job {job_id} not found.")
    return job


def result_of(job: Job) -> dict[str, Any] | None:
    """The stored result, or for a DONE job without one, its generated result."""
    if job.result is not None:
        return job.result
    return result_for(job.id, job.runs) if job.status == "DONE" else None


@blueprint.get("/api/v2/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    """The job: the list's 16 keys and its sequence."""
    return success(JOB.dump(find(job_id)))


@blueprint.get("/api/v1/jobs/<job_id>/status")
def get_job_status(job_id: str) -> Response:
    job = find(job_id)
    return success({"id": job.id, "status": job.status})


@blueprint.get("/api/v1/jobs/<job_id>/results_link")
def get_results_link(job_id: str) -> Response:
    """Where to download the results (served here, like a pre-signed URL: no token needed)."""
    job = find(job_id)
    link = None
    if result_of(job) is not None:
        link = url_for("job.download_results", job_id=job.id, _external=True)
    return success({"results_link": link})


@blueprint.get("/results/<job_id>")
def download_results(job_id: str) -> Response:
    """The result JSON, as a pre-signed storage link serves it: journaled, faultable, no token."""
    result = result_of(find(job_id))
    if result is None:
        raise JSendFail(404, f"Job {job_id} has no results.")
    return jsonify(result)


@blueprint.patch("/api/v2/jobs/<job_id>/cancel")
def cancel_job(job_id: str) -> Response:
    """A job not yet in a final state becomes CANCELED now; a final one is a 400."""
    mock = current_mock()
    with mock.store.writing():
        job = find(job_id)
        if job.status in FINAL_STATUSES:
            raise JSendFail(400, f"Job {job_id} is {job.status} already: it cannot be cancelled.")
        now = max(mock.clock.now(), job.updated_at, job.start_timestamp or job.created_at)
        job.status, job.end_timestamp, job.updated_at = "CANCELED", now, now
        job.save()
    return success(JOB.dump(job))
