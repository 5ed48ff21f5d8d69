"""The OpenAPI document: a request body for every operation that reads one, the bearer scheme,
the Nylas error envelope for errors, a summary and a unique id for every operation."""

from __future__ import annotations

import ast
import inspect
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

import slotwise
from slotwise.api import deps
from tests.support.routes import route_app
from tests.support.server import LiveServer

# The functions that read a request's body for a route (the rest of the code calls these).
BODY_READERS = {deps.json_body, deps.json_object, deps.body_bytes}
# What a route's own code calls on the request to read a body without them.
RAW_READS = {"body", "stream", "form", "json"}
SRC = Path(slotwise.__file__).resolve().parent


def _routes() -> Iterator[tuple[str, set[str], APIRoute]]:
    """(full path, methods, route) of each operation the document should describe."""
    for context in iter_route_contexts(route_app().routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema:
            yield str(context.path_format), set(context.methods or ()), route


def _dependency_calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _dependency_calls(dependency)


def _calls_in(function: Any) -> set[str]:
    """Names the function's own code calls: `json_object(...)`, `request.stream()`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def reads_body(route: APIRoute) -> bool:
    """From the route's code: a body-reading dependency, or a read in the endpoint itself."""
    if any(call in BODY_READERS for call in _dependency_calls(route.dependant)):
        return True
    called = _calls_in(route.endpoint)
    return bool(called & {f.__name__ for f in BODY_READERS} or called & RAW_READS)


def test_body_readers_are_the_only_json_readers() -> None:
    """No module of the JSON faces reads a body other than through BODY_READERS (so the
    derivation above cannot miss a route), except the raw image upload."""
    for path in sorted((SRC / "api").rglob("*.py")):
        if path.name == "deps.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RAW_READS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "request"
            ):
                assert path.name == "page_images.py" and node.func.attr == "stream", path


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a duplicate operation id warns: fail on it
        return route_app().openapi()


def test_every_operation_that_reads_a_body_declares_one(document: dict[str, Any]) -> None:
    routes = list(_routes())
    readers = [path for path, _, route in routes if reads_body(route)]
    assert len(readers) >= 28  # the derivation found the routes that read bodies
    wrong = []
    for path, methods, route in routes:
        for method in methods:
            operation = document["paths"][path][method.lower()]
            if reads_body(route) != ("requestBody" in operation):
                wrong.append((method, path))
    assert wrong == []


def test_request_bodies_are_the_typed_models(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    booking = document["paths"]["/v3/scheduling/bookings"]["post"]["requestBody"]
    assert booking["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewBooking"
    }
    assert {"start_time", "end_time", "guest"} <= set(schemas["NewBooking"]["properties"])
    assert schemas["Guest"]["required"] == ["email", "name"]
    webhook = document["paths"]["/v3/webhooks"]["post"]["requestBody"]
    assert webhook["required"] is True
    assert schemas["CreateWebhook"]["required"] == ["trigger_types", "webhook_url"]
    # Every reference resolves.
    text = str(document)
    for name in schemas:
        assert isinstance(schemas[name], dict)
    for ref in {part.split("'")[0] for part in text.split("#/components/schemas/")[1:]}:
        assert ref in schemas, ref


def test_bearer_scheme_and_the_operations_that_need_it(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "access token" in scheme["description"]
    paths = document["paths"]
    assert paths["/v3/grants"]["get"]["security"] == [{"bearer": []}]
    assert paths["/v3/webhooks"]["post"]["security"] == [{"bearer": []}]
    # A guest books without credentials; a session token or API key is optional.
    assert paths["/v3/scheduling/bookings"]["post"]["security"] == [{}, {"bearer": []}]


def test_errors_are_the_nylas_envelope(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["request_id", "error"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            assert "422" not in responses  # validation failures are 400s
            # The OAuth token route answers RFC 6749's error shape, as OAuth clients read it.
            kind = "OAuthError" if path == "/v3/connect/token" else "Error"
            assert responses["4XX"] == {"$ref": f"#/components/responses/{kind}"}


def test_every_operation_has_a_summary_a_tag_and_a_unique_id(document: dict[str, Any]) -> None:
    ids = []
    tags = {tag["name"] for tag in document["tags"]}
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["summary"]
            assert len(operation["tags"]) == 1 and operation["tags"][0] in tags
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    paths = document["paths"]
    assert paths["/v3/scheduling/bookings"]["post"]["tags"] == ["Scheduling"]
    assert paths["/manage/pages"]["get"]["tags"] == ["v2"]
    assert paths["/healthz"]["get"]["tags"] == ["Operations"]


def test_html_pages_are_not_operations(document: dict[str, Any]) -> None:
    assert not any(path.startswith(("/book/", "/bookings/")) for path in document["paths"])


def test_served_document_matches(server: LiveServer) -> None:
    served = httpx.get(f"{server.url}/openapi.json").json()
    assert served["paths"].keys() == route_app().openapi()["paths"].keys()
    assert served["info"]["title"] == "Slotwise"


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Authorization: missing Bearer API key"),
        ("Basic dXNlcjpwYXNz", "Authorization: missing Bearer API key"),
        ("Bearer", "Authorization: missing Bearer API key"),
        ("Bearer not-the-key", "Authorization: the API key is not valid"),
    ],
)
def test_declaring_the_scheme_leaves_the_key_check_as_it_was(
    server: LiveServer, authorization: str | None, message: str
) -> None:
    # The scheme's FastAPI dependency never answers itself (no "Not authenticated" 403).
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{server.url}/v3/grants", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == {"type": "unauthorized", "message": message}
