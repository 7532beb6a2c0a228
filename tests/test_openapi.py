"""The OpenAPI document: valid OpenAPI 3.1, served and printed, equal in substance to the reference.

tests/reference/openapi.json is the machine-readable transcription of the API document that
the team keeps beside SPEC.md, copied here as JSON so that the repository stands alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from mockjobs.cli import main
from mockjobs.contract.openapi import openapi_document

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "openapi.json").read_text(encoding="utf-8")
)
SUBSTANCE = {
    "type",
    "format",
    "enum",
    "const",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "anyOf",
}  # fmt: skip: what a schema says about values; titles, descriptions and examples are prose


def resolve(node: Any, document: dict[str, Any]) -> Any:
    """`node` with every $ref replaced by what it names."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return resolve(document["components"]["schemas"][name], document)
        return {key: resolve(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, document) for item in node]
    return node


def substance(schema: Any) -> Any:
    """A schema reduced to what it says about values (required as a set, no empty extras)."""
    if not isinstance(schema, dict):
        return schema
    reduced = {key: value for key, value in schema.items() if key in SUBSTANCE}
    if "properties" in reduced:
        reduced["properties"] = {name: substance(p) for name, p in reduced["properties"].items()}
    for key in ("items", "anyOf"):
        if key in reduced:
            reduced[key] = (
                [substance(s) for s in reduced[key]]
                if isinstance(reduced[key], list)
                else substance(reduced[key])
            )
    if "required" in reduced:
        reduced["required"] = sorted(reduced["required"])
    if reduced.get("additionalProperties") not in (False, None):
        del reduced["additionalProperties"]  # `{}` and `true` both mean "anything"
    return reduced


def operation(document: dict[str, Any]) -> dict[str, Any]:
    return resolve(document["paths"]["/api/v2/jobs"]["get"], document)


def parameters(document: dict[str, Any]) -> list[tuple[str, Any]]:
    result = []
    for parameter in operation(document)["parameters"]:
        style = (parameter.get("style", "form"), parameter.get("explode", True))
        result.append(
            (
                parameter["name"],
                parameter["in"],
                parameter.get("required", False),
                style,
                substance(parameter["schema"]),
            )
        )
    return result


OURS = openapi_document()


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(OURS)
    assert OURS["openapi"] == "3.1.0"


def test_the_parameters_are_the_documented_ones_in_order() -> None:
    assert [p[0] for p in parameters(OURS)] == [p[0] for p in parameters(REFERENCE)]
    for ours, reference in zip(parameters(OURS), parameters(REFERENCE), strict=True):
        assert ours == reference


@pytest.mark.parametrize("status", ["200", "422"])
def test_the_responses_are_the_documented_ones(status: str) -> None:
    ours, reference = (
        operation(OURS)["responses"][status],
        operation(REFERENCE)["responses"][status],
    )
    schema = substance(ours["content"]["application/json"]["schema"])
    assert schema == substance(reference["content"]["application/json"]["schema"])
    assert {k: v for k, v in ours.get("headers", {}).items()} == reference.get("headers", {})


def test_the_job_has_sixteen_required_fields() -> None:
    job = resolve(OURS["components"]["schemas"]["ProducedPartialJobResponseV2"], OURS)
    assert len(job["required"]) == 16 and job["additionalProperties"] is False
    assert set(job["required"]) == set(job["properties"])


def test_the_other_endpoints_and_the_control_api_are_documented_under_their_tags() -> None:
    tags = {
        path: {tag for op in ops.values() for tag in op["tags"]}
        for path, ops in OURS["paths"].items()
    }
    assert tags["/api/v2/jobs"] == tags["/api/v2/jobs/{job_id}"] == {"jobs"}
    assert {path for path, names in tags.items() if names == {"mock control"}} == {
        "/_mock/reset", "/_mock/jobs", "/_mock/requests", "/_mock/faults", "/_mock/clock",
        "/_mock/fates"}  # fmt: skip
    assert set(OURS["paths"]["/_mock/faults"]) == {"get", "post", "delete"}


def test_the_documented_operations_are_exactly_the_app_s_routes(app: Flask) -> None:
    """No route goes undocumented, and nothing documented is missing.

    Left out: the dashboard's pages and files (blueprint `ui`: pages for people, not API),
    /openapi.json (the document, not an operation of the API it describes; FastAPI leaves
    its own out too), the SDK's OVH routes (not served: a 501 that says so), and HEAD and OPTIONS, which Flask answers for every route by itself.
    """
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] not in ("ui", "docs")
        and rule.endpoint not in ("jobs.openapi", "resources.ovh")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in OURS["paths"].items() for method in ops}
    assert documented == routes


def test_served_and_printed(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.get_json() == OURS
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == OURS


def test_swagger_ui_is_served_offline_at_docs_on_the_document() -> None:
    from mockjobs.app import create_app

    api = create_app({"SEED": 5, "TOKEN": "secret"}).test_client()  # no token needed to read
    page = api.get("/docs/")
    assert page.status_code == 200 and b'"url": "/openapi.json"' in page.data
    assets = re.findall(rb'(?:src|href)="(/docs/[^"]+)"', page.data)
    assert len(assets) >= 3 and not re.search(rb'(?:src|href)="(?:https?:)?//', page.data)
    for asset in assets:
        with api.get(asset.decode()) as response:  # a file, streamed: closed when read
            assert response.status_code == 200
    assert api.get("/docs").status_code == 308  # to /docs/
    journal = api.get("/_mock/requests", headers={"Authorization": "Bearer secret"})
    assert journal.get_json()["total"] == 0  # a page, not client traffic
