"""One job: read it, poll its status, get its results, cancel it (SPEC section 5)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from marshmallow import Schema

from ..contract.answers import JOB_ANSWER, JOB_STATUS_ANSWER, RESULTS_LINK_ANSWER
from ..contract.envelope import jsend_success
from ..contract.errors import JSendFail
from ..store.jobs import Record
from . import current_mock

blueprint = Blueprint("job", __name__)


def success(schema: Schema, data: Any) -> Response:
    """A JSend success around `data`, as `schema` (contract.answers) says it."""
    return jsonify(schema.dump(jsend_success(data)))


def not_found(job_id: str) -> JSendFail:
    return JSendFail(404, f"Job {job_id} not found.")


def find(job_id: str) -> Record:
    job = current_mock().job(job_id)
    if job is None:
        raise not_found(job_id)
    return job


def has_result(job: Record) -> bool:
    """Whether the job has a result, told without making one (a sequence may be 16 MiB)."""
    return job["result"] is not None or job["status"] == "DONE"


def result_of(job: Record) -> dict[str, Any] | None:
    """The stored result, or for a DONE job without one, its generated result."""
    if job["result"] is not None:
        return job["result"]
    return current_mock().generated_result(job) if job["status"] == "DONE" else None


@blueprint.get("/api/v2/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    """The job: the list's 16 keys and its sequence."""
    return success(JOB_ANSWER, find(job_id))


@blueprint.get("/api/v1/jobs/<job_id>/status")
def get_job_status(job_id: str) -> Response:
    return success(JOB_STATUS_ANSWER, find(job_id))


@blueprint.get("/api/v1/jobs/<job_id>/results_link")
def get_results_link(job_id: str) -> Response:
    """Where to download the results (served here, like a pre-signed URL: no token needed)."""
    job = find(job_id)
    link = None
    if has_result(job):
        link = url_for("job.download_results", job_id=job["id"], _external=True)
    return success(RESULTS_LINK_ANSWER, {"results_link": link})


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
    job = current_mock().cancel_job(job_id)
    if job is None:
        raise not_found(job_id)
    return success(JOB_ANSWER, job)
