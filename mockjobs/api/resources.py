"""Workloads, devices and projects; and the SDK's routes that mockjobs does not serve."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..contract import resources as contract
from ..contract.body_fields import load_body
from ..contract.envelope import jsend_error
from ..contract.errors import JSendFail
from ..contract.query import parse_query
from ..data.devices import device_specs
from ..data.projects import project_name
from ..store.records import Record
from ..vocabulary import HTTP_METHODS
from . import current_mock
from .batches import answer
from .bodies import json_body

blueprint = Blueprint("resources", __name__)
WORKLOAD = contract.WorkloadCreateSchema()
PROJECTS = contract.ProjectQuerySchema()
OVH = "/api/v1/third-party-access/ovh"


def workload(record: Record) -> Response:
    """A workload; once DONE, its result is behind `result_link` (no token, as a pre-signed URL)."""
    link = None
    if record["status"] == "DONE":
        link = url_for("resources.workload_result", workload_id=record["id"], _external=True)
    return answer(contract.WORKLOAD_ANSWER, {**record, "result_link": link, "result": None})


@blueprint.post("/api/v1/workloads")
def create_workload() -> Response:
    return workload(current_mock().workloads.create(load_body(WORKLOAD, json_body())))


@blueprint.get("/api/v2/workloads/<workload_id>")
def get_workload(workload_id: str) -> Response:
    return workload(current_mock().workloads.get(workload_id))


@blueprint.put("/api/v1/workloads/<workload_id>/cancel")
def cancel_workload(workload_id: str) -> Response:
    return workload(current_mock().workloads.cancel(workload_id))


@blueprint.get("/results/workloads/<workload_id>")
def workload_result(workload_id: str) -> Response:
    """A DONE workload's result: what it ran, on which backend, with which config."""
    record = current_mock().workloads.get(workload_id)
    if record["status"] != "DONE":
        raise JSendFail(404, f"Workload {workload_id} has no result: it is {record['status']}.")
    return jsonify(
        workload_type=record["workload_type"], backend=record["backend"], config=record["config"]
    )


@blueprint.get("/api/v1/devices/specs")
def get_device_specs() -> Response:
    """Each device type's specs, Pulser's abstract representation of its device."""
    return answer(contract.DEVICE_SPECS_ANSWER, device_specs())


@blueprint.get("/api/v1/devices/public-specs")
def get_public_device_specs() -> Response:
    """The same devices, no token needed."""
    devices = [
        {"device_type": kind, "status": "UP", "specs": specs}
        for kind, specs in device_specs().items()
    ]
    return answer(contract.PUBLIC_DEVICES_ANSWER, devices)


@blueprint.get("/api/v1/projects")
def get_projects() -> Response:
    """The projects of the data set and of the batches submitted since, all ACTIVE."""
    params = parse_query(request.args, schema=PROJECTS)
    ids = current_mock().batch_records.projects() if params["project_status"] == "ACTIVE" else []
    projects: list[dict[str, Any]] = [
        {"id": project_id, "name": project_name(project_id), "status": "ACTIVE"}
        for project_id in ids
    ]
    return answer(contract.PROJECTS_ANSWER, projects)


@blueprint.route(OVH, methods=HTTP_METHODS)
@blueprint.route(f"{OVH}/<path:rest>", methods=HTTP_METHODS)
def ovh(rest: str = "") -> tuple[Response, int]:
    """The SDK's OVH third-party routes: not served here, and said so (not a bare 404)."""
    message = f"mockjobs does not serve the OVH third-party access routes ({OVH}/...)."
    return jsonify(jsend_error(501, message)), 501
