"""The contract: marshmallow schemas of queries, bodies and records, FastAPI-shaped errors, OpenAPI."""
