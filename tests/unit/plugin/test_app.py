"""The plugin's FastAPI application without a server: its OpenAPI document describes every
response body and error, every route but the job view's assets takes its authorization as a
dependency that FastAPI solves before anything else, and the ``execute`` body's problems come
from the shared run conf checker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.api_fastapi.core_api.security import get_user
from fastapi import FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from airflow_oracle_etl.plugin import auth, schemas, transports_api
from airflow_oracle_etl.plugin.app import create_app
from airflow_oracle_etl.transports.loading import transport_from_data
from airflow_oracle_etl.transports.model import Transport

JSON = "application/json"
#: every JSON route: its success status, the schema of its body, and fields that body has
JSON_ROUTES: dict[tuple[str, str], tuple[str, str, set[str]]] = {
    ("GET", "/health"): ("200", "Health", {"status", "version", "transports_folder_exists"}),
    ("GET", "/transports"): ("200", "TransportList", {"transports", "invalid"}),
    ("POST", "/transports"): ("201", "CreatedTransport", {"id", "tables", "note"}),
    ("GET", "/transports/{transport_id}"): (
        "200",
        "TransportInfo",
        {"id", "display_name", "file", "tables", "destination", "dag_registered", "dag_paused"},
    ),
    ("POST", "/transports/{transport_id}/execute"): (
        "201",
        "StartedJob",
        {"job_id", "transport", "state", "conf", "dag_paused", "links"},
    ),
    ("GET", "/jobs"): ("200", "JobList", {"jobs"}),
    ("GET", "/jobs/{run_id}"): ("200", "Job", {"job_id", "state", "totals", "tables"}),
}
#: routes answering something else than JSON: their success status and media types
OTHER_ROUTES: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("DELETE", "/transports/{transport_id}"): ("204", set()),
    ("GET", "/jobs/{run_id}/events"): ("200", {"text/event-stream"}),
    ("GET", "/ui/jobs/{dag_id}/{run_id}"): ("200", {"text/html"}),
    ("GET", "/ui/static/{name}"): (
        "200",
        {"text/javascript; charset=utf-8", "text/css; charset=utf-8"},
    ),
}
#: the page's assets are the same for every DAG: a login is all they need
UNAUTHORIZED_ROUTES = {("GET", "/ui/static/{name}")}
#: the errors each route documents besides 401 (every route has that)
ERRORS: dict[tuple[str, str], set[str]] = {
    ("GET", "/health"): {"403"},
    ("GET", "/transports"): {"403"},
    ("POST", "/transports"): {"403", "409", "413", "422", "503"},
    ("GET", "/transports/{transport_id}"): {"403", "404"},
    ("DELETE", "/transports/{transport_id}"): {"403", "404", "409"},
    ("POST", "/transports/{transport_id}/execute"): {"400", "403", "404", "409", "413", "422"},
    ("GET", "/jobs"): {"403", "404"},
    ("GET", "/jobs/{run_id}"): {"403", "404", "409"},
    ("GET", "/jobs/{run_id}/events"): {"403", "404", "409"},
    ("GET", "/ui/jobs/{dag_id}/{run_id}"): {"403"},
    ("GET", "/ui/static/{name}"): {"404"},
}
#: the ``type`` of the problems of a bad ``execute`` body
CONF_INVALID = "conf_invalid"


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app()


@pytest.fixture(scope="module")
def openapi(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def routes(app: FastAPI) -> Iterator[tuple[tuple[str, str], APIRoute]]:
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield (method, route.path), route


def resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or the component it refers to."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def operation(openapi: dict[str, Any], key: tuple[str, str]) -> dict[str, Any]:
    method, path = key
    return openapi["paths"][path][method.lower()]


def test_the_tables_above_name_every_route(app: FastAPI) -> None:
    keys = {key for key, _ in routes(app)}
    assert keys == set(JSON_ROUTES) | set(OTHER_ROUTES)
    assert keys == set(ERRORS)


@pytest.mark.parametrize("key", sorted(JSON_ROUTES))
def test_every_json_route_documents_its_body_with_its_fields(
    openapi: dict[str, Any], key: tuple[str, str]
) -> None:
    status, model, fields = JSON_ROUTES[key]
    responses = operation(openapi, key)["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert success == [status]
    content = responses[status]["content"]
    assert set(content) == {JSON}
    assert content[JSON]["schema"] == {"$ref": f"#/components/schemas/{model}"}
    schema = resolve(openapi, content[JSON]["schema"])
    assert schema["type"] == "object" and schema["description"]
    assert fields <= set(schema["properties"]) and fields <= set(schema["required"])


def test_every_model_of_the_document_describes_its_fields(openapi: dict[str, Any]) -> None:
    """No body hides behind a free-form object: each model lists its fields, and nested ones
    are models too (run conf, which is whatever a client sent, aside)."""
    documented = openapi["components"]["schemas"]
    ours = {name for name in schemas.__all__ if isinstance(getattr(schemas, name), type)}
    assert ours <= set(documented)
    for name in ours:
        schema = documented[name]
        assert schema["properties"], name
        for field, definition in schema["properties"].items():
            if definition.get("type") == "object":
                assert field == "conf", (name, field)


@pytest.mark.parametrize("key", sorted(OTHER_ROUTES))
def test_streams_pages_and_assets_declare_their_media_types(
    openapi: dict[str, Any], key: tuple[str, str]
) -> None:
    status, media_types = OTHER_ROUTES[key]
    responses = operation(openapi, key)["responses"]
    assert set(responses[status].get("content", {})) == media_types
    if key == ("GET", "/jobs/{run_id}/events"):
        assert "204" in responses  # the client has seen the end: do not reconnect


@pytest.mark.parametrize("key", sorted(ERRORS))
def test_every_route_documents_its_errors_as_json(
    openapi: dict[str, Any], key: tuple[str, str]
) -> None:
    responses = operation(openapi, key)["responses"]
    expected = {"401"} | ERRORS[key]
    assert expected <= set(responses)
    for code in expected:
        assert responses[code]["description"], code
        assert set(responses[code]["content"]) == {JSON}, code
        schema = resolve(openapi, responses[code]["content"][JSON]["schema"])
        assert "detail" in schema["properties"], code
    if "422" in ERRORS[key]:
        problems = resolve(openapi, responses["422"]["content"][JSON]["schema"])
        assert problems["title"] == "RequestProblems"
        item = resolve(openapi, problems["properties"]["detail"]["items"])
        assert set(item["properties"]) == {"loc", "msg", "type"}


# -- authorization as dependencies -------------------------------------------------------------


def is_authorization(dependant: Dependant) -> bool:
    """A dependency made by :mod:`airflow_oracle_etl.plugin.auth` that takes the caller (the
    module also makes the readers of the DAG id that these depend on)."""
    return getattr(dependant.call, "__module__", None) == auth.__name__ and any(
        dependency.call is get_user for dependency in dependant.dependencies
    )


def authorizes_first(dependant: Dependant) -> bool:
    """FastAPI solves a route's dependencies in order, each one's own first: true when the
    first of them to run is an authorization."""
    if not dependant.dependencies:
        return False
    first = dependant.dependencies[0]
    return is_authorization(first) or authorizes_first(first)


def authorizations(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        if is_authorization(dependency):
            yield dependency
        yield from authorizations(dependency)


@pytest.mark.parametrize("key", sorted(set(ERRORS) - UNAUTHORIZED_ROUTES))
def test_every_route_is_authorized_by_a_dependency_before_anything_else(
    app: FastAPI, key: tuple[str, str]
) -> None:
    route = dict(routes(app))[key]
    assert authorizes_first(route.dependant), key
    for authorization in authorizations(route.dependant):
        # authentication (401) comes before the DAG is even looked for
        assert authorization.dependencies[0].call is get_user, key


@pytest.mark.parametrize("key", sorted(UNAUTHORIZED_ROUTES))
def test_the_assets_need_a_login(app: FastAPI, key: tuple[str, str]) -> None:
    route = dict(routes(app))[key]
    assert [dependency.call for dependency in route.dependant.dependencies] == [get_user]


# -- the execute body --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def transport() -> Transport:
    return transport_from_data(
        {
            "id": "daily",
            "destination": {"bucket": "my-bucket"},
            "tables": ["DEMO.CUSTOMER", {"table": "SALES_ORDER", "partitions": 2}],
        },
        source="daily.yaml",
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"  ",
        b"{}",
        b'{"tables": ["CUSTOMER"]}',
        b'{"tables": ["sales_order"], "full_refresh": true}',
    ],
)
def test_a_good_execute_body_is_the_run_conf_as_sent(transport: Transport, body: bytes) -> None:
    conf = transports_api._run_conf(transport, body)
    assert conf == (json.loads(body) if body.strip() else {})


@pytest.mark.parametrize(
    ("body", "locs", "says"),
    [
        (b'{"tables": "CUSTOMER"}', [["body", "tables"]], "expected a list of table names"),
        (b'{"tables": []}', [["body", "tables"]], "at least one table"),
        (b'{"tables": ["NO_SUCH"]}', [["body", "tables"]], "not in this transport: NO_SUCH"),
        (b'{"full_refresh": "yes"}', [["body", "full_refresh"]], "expected true or false"),
        (b'{"table": ["CUSTOMER"]}', [["body", "table"]], "unknown field"),
        (
            b'{"table": 1, "tables": 2, "full_refresh": 3}',
            [["body", "table"], ["body", "tables"], ["body", "full_refresh"]],
            "",
        ),
    ],
)
def test_a_bad_execute_body_is_422_with_every_problem_of_the_shared_checker(
    transport: Transport, body: bytes, locs: list[list[str]], says: str
) -> None:
    with pytest.raises(HTTPException) as caught:
        transports_api._run_conf(transport, body)
    assert caught.value.status_code == 422
    detail = caught.value.detail
    assert [problem["loc"] for problem in detail] == locs
    assert all(problem["type"] == CONF_INVALID for problem in detail)
    assert says in detail[0]["msg"]


def test_an_execute_body_that_is_no_object_is_422_before_the_checker(
    transport: Transport,
) -> None:
    with pytest.raises(HTTPException) as caught:
        transports_api._run_conf(transport, b"[1]")
    assert caught.value.status_code == 422
    assert caught.value.detail == [
        {"loc": ["body"], "msg": "expected a JSON object", "type": "json_invalid"}
    ]
