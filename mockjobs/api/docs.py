"""Swagger UI at /docs, as a FastAPI app has it: the generated document, served offline.

The page and its assets come from flask-swagger-ui (Swagger UI's own distribution, as package
data: nothing is fetched from elsewhere); the document is /openapi.json.
"""

from __future__ import annotations

from flask_swagger_ui import get_swaggerui_blueprint

from ..vocabulary import DOCS_PREFIX

blueprint = get_swaggerui_blueprint(
    DOCS_PREFIX,
    "/openapi.json",
    config={"app_name": "mockjobs: the API", "persistAuthorization": True},
    blueprint_name="docs",
)
