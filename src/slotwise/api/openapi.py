"""The OpenAPI document of the JSON faces.

The routes read their bodies by hand (`deps.json_object`), so FastAPI sees no body to
describe; each such route declares one with `openapi_extra=request_body(Model)`, from the
same pydantic model that parses it (`validate_model`), and the parsing, with its field-named
400s, stays exactly where it was. This module then finishes the document FastAPI builds:
the models' nested definitions go to `components.schemas`, every operation names the bearer
scheme it takes and answers errors in the Nylas envelope (never FastAPI's 422 shape: every
validation failure is a 400 here).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from slotwise.api.deps import BEARER_SCHEME

BEARER = BEARER_SCHEME.scheme_name
_REF = "#/components/schemas/{model}"
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BINARY = {"type": "string", "format": "binary"}
_MODEL_KEY = "x-slotwise-model"
# The request models named by the routes' `request_body`, by dotted name.
_MODELS: dict[str, type[BaseModel]] = {}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": (
        "The Nylas error envelope. The v2 routes (outside /v3/) also repeat `message` and "
        "`type` at the top level, where the v2 clients read them."
    ),
    "type": "object",
    "required": ["request_id", "error"],
    "properties": {
        "request_id": {"type": "string"},
        "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {
                "type": {"type": "string"},
                "message": {
                    "type": "string",
                    "description": "Names the field at fault: `field: problem`.",
                },
            },
        },
    },
}


class _RequestSchema(GenerateJsonSchema):
    """Some fields parse straight into the engine's own types (a validator builds them from
    the JSON sent); such a field is described as any JSON value rather than not at all."""

    def handle_invalid_for_json_schema(
        self, schema: core_schema.CoreSchema, error_info: str
    ) -> JsonSchemaValue:
        return {}


# The /v3/ faces and health answer in the Nylas envelope; the v2 faces answer their own shapes.
ENVELOPE_SCHEMA: dict[str, Any] = {
    "title": "Envelope",
    "description": "The Nylas envelope: `data` (lists add `next_cursor`), or an acknowledgement.",
    "type": "object",
    "required": ["request_id"],
    "properties": {
        "request_id": {"type": "string"},
        "data": {},
        "next_cursor": {"type": ["string", "null"]},
    },
}
_ENVELOPE_PATHS = ("/v3/", "/healthz", "/readyz")

# Groups of operations in the viewers, by path (first match wins).
TAGS: list[tuple[str, str, str]] = [
    ("/v3/grants/{grant}/scheduling/", "Scheduling", "Configurations, sessions, bookings"),
    ("/v3/scheduling/", "Scheduling", "Configurations, sessions, bookings"),
    ("/v3/grants/{grant}/access-tokens", "Access tokens", "Per-grant bearer tokens"),
    ("/v3/grants", "Grants, calendars and events", "Connected accounts and their calendars"),
    ("/v3/connect/", "Grants, calendars and events", "Connected accounts and their calendars"),
    ("/v3/calendars/", "Availability", "Times that suit every participant"),
    ("/v3/webhooks", "Webhooks", "Destinations, deliveries, secrets"),
    ("/", "v2", "The v2 Scheduler: Scheduling Pages, public schedule, availability, free/busy"),
]
_OPERATIONS_TAG = "Operations"
_OPERATIONS_PATHS = {"/healthz", "/readyz"}


def _tag(path: str) -> str:
    if path in _OPERATIONS_PATHS:
        return _OPERATIONS_TAG
    return next(name for prefix, name, _ in TAGS if path.startswith(prefix))


def request_body(
    model: type[BaseModel] | None = None,
    *,
    description: str = "",
    media_types: tuple[str, ...] = ("application/json",),
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body by hand: `model`'s JSON schema (in
    validation mode: what a client may send), or any JSON object for a document the domain
    reads field by field (`model=None`); raw uploads name their media types."""
    schema: dict[str, Any]
    if model is not None:
        name = f"{model.__module__}.{model.__qualname__}"
        _MODELS[name] = model
        # Replaced by the model's schema in `finish`, where all models are named together
        # (two models of one name in different packages get distinct names).
        schema = {_MODEL_KEY: name}
    elif media_types == ("application/json",):
        schema = {"type": "object"}
    else:
        schema = _BINARY
    body: dict[str, Any] = {
        "required": model is not None
        and any(field.is_required() for field in model.model_fields.values()),
        "content": {media: {"schema": schema} for media in media_types},
    }
    if description:
        body["description"] = description
    return {"requestBody": body}


def install(app: FastAPI) -> None:
    """Build the document on first request with the routes as they are then."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = finish(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    # FastAPI's 422 shapes: no route answers them (see api.errors).
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    schemas["Envelope"] = ENVELOPE_SCHEMA
    components["responses"] = {
        "Error": {
            "description": "An error in the Nylas envelope",
            "content": {"application/json": {"schema": _ERROR_REF}},
        }
    }
    for path, item in document["paths"].items():
        for operation in item.values():
            operation["tags"] = [_tag(path)]
        if path.startswith(_ENVELOPE_PATHS):
            for operation in item.values():
                ok = operation["responses"]["200"]["content"]["application/json"]
                ok["schema"] = {"$ref": "#/components/schemas/Envelope"}
    operations = [op for item in document["paths"].values() for op in item.values()]
    bodies = [
        content
        for op in operations
        for content in op.get("requestBody", {}).get("content", {}).values()
        if _MODEL_KEY in content["schema"]
    ]
    models = {_MODELS[content["schema"][_MODEL_KEY]] for content in bodies}
    by_model, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__qualname__)],
        ref_template=_REF,
        schema_generator=_RequestSchema,
    )
    schemas.update(definitions.get("$defs", {}))
    for content in bodies:
        content["schema"] = by_model[(_MODELS[content["schema"][_MODEL_KEY]], "validation")]
    for operation in operations:
        _finish_operation(operation)
    described = dict((name, text) for _, name, text in TAGS)
    described[_OPERATIONS_TAG] = "Health and readiness"
    document["tags"] = [{"name": n, "description": t} for n, t in described.items()]
    return document


def _finish_operation(operation: dict[str, Any]) -> None:
    # Admin routes declare the scheme they need (deps.BEARER_SCHEME); the others take a bearer
    # token when the caller has one (a session token, an API key) and work without.
    operation.setdefault("security", [{}, {BEARER: []}])
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    responses["4XX"] = {"$ref": "#/components/responses/Error"}
    responses["5XX"] = {"$ref": "#/components/responses/Error"}
