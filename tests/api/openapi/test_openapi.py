"""The OpenAPI document: it covers every route, is valid OpenAPI 3.1, and its examples fit it.

That real responses match it is checked by every API test: the ``client`` fixture checks
each response against the document (see ``tests/conformance.py``).
"""

from typing import Any, TypedDict

from aiohttp import web
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pytest_aiohttp import AiohttpClient

from tallybot.api.middlewares import PlainError
from tallybot.api.openapi.document import build_document, load_examples, routes_of, undocumented
from tallybot.api.openapi.operations import SpecDoc
from tests.conformance import Conformance
from tests.helpers import Client

API = SpecDoc("Test", PlainError, ids="test")


class Greeting(TypedDict):
    """A greeting."""

    hello: str


async def _document(client: Client) -> dict[str, Any]:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document: dict[str, Any] = await response.json()
    return document


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": document["components"]})


async def test_every_route_the_app_serves_is_in_the_document(client: Client) -> None:
    document = await _document(client)
    fallbacks = {route["path"] for route in document["x-fallback-routes"]}
    missing = [
        f"{method} {path}"
        for method, path, _ in routes_of(client.app)
        if (path not in fallbacks if method == "*" else method.lower() not in document["paths"].get(path, {}))
    ]
    assert missing == []
    assert undocumented(client.app) == []


async def test_the_document_is_valid_openapi_3_1(client: Client) -> None:
    document = await _document(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


async def test_a_route_without_an_operation_is_reported_and_left_out() -> None:
    async def documented(request: web.Request) -> web.Response:
        """Say hello."""
        return web.json_response({"hello": "world"})

    async def forgotten(request: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/documented", API({200: Greeting})(documented))
    app.router.add_post("/forgotten", forgotten)
    assert undocumented(app) == ["POST /forgotten"]
    document = build_document(app, {})
    assert list(document["paths"]) == ["/documented"]
    assert document["paths"]["/documented"]["post"]["summary"] == "Say hello."


async def test_conformance_reports_a_body_or_status_the_document_does_not_allow(
    aiohttp_client: AiohttpClient,
) -> None:
    async def wrong_shape(request: web.Request) -> web.Response:
        """Answer with a key the shape does not have."""
        return web.json_response({"hello": "world", "extra": 1})

    async def wrong_status(request: web.Request) -> web.Response:
        """Answer with a status that is not documented."""
        return web.json_response({"hello": "world"}, status=202)

    app = web.Application()
    app.router.add_post("/shape", API({200: Greeting})(wrong_shape))
    app.router.add_post("/status", API({200: Greeting})(wrong_status))
    conformance = Conformance.attach(app)
    client = await aiohttp_client(app)
    await client.post("/shape")
    await client.post("/status")
    assert conformance.problems == [
        "POST /shape -> 200: Additional properties are not allowed ('extra' was unexpected) at []",
        "POST /status -> 202: status not documented (200, 400)",
    ]


async def test_every_example_names_an_operation_and_fits_its_schema(client: Client) -> None:
    document = await _document(client)
    for key, example in load_examples().items():
        method, path = key.split(" ", 1)
        operation = document["paths"][path][method.lower()]
        if "request" in example:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert list(_validator(document, schema).iter_errors(example["request"])) == [], key
        for status, body in example.get("responses", {}).items():
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert list(_validator(document, schema).iter_errors(body)) == [], f"{key} {status}"


async def test_community_routes_take_the_community_and_answer_an_unknown_one(client: Client) -> None:
    document = await _document(client)
    plain = document["paths"]["/api/sessions/{id}"]["get"]
    elsewhere = document["paths"]["/c/{community}/api/sessions/{id}"]["get"]
    assert [parameter["name"] for parameter in elsewhere["parameters"]] == ["community", "id"]
    # 400: any request may be unreadable (a NUL in its path or query, a broken body).
    assert sorted(plain["responses"]) == ["200", "400", "404"]
    assert sorted(elsewhere["responses"]) == ["200", "400", "404"]
    coffee = document["paths"]["/c/{community}/1/group/list"]["get"]
    assert sorted(coffee["responses"]) == ["200"]
    assert elsewhere["tags"] == ["Game night: sessions (any community)"]


async def test_operations_say_who_may_call_them(client: Client) -> None:
    document = await _document(client)
    paths = document["paths"]
    assert paths["/api/sessions"]["post"]["security"] == [{"hostToken": []}]
    assert sorted(paths["/api/sessions"]["post"]["responses"]) == ["201", "400", "401", "403", "408", "413"]
    assert "security" not in paths["/api/sessions"]["get"]
    assert paths["/api/verify-session-uuid"]["get"]["security"] == [{"sessionToken": []}, {}]
    assert set(document["components"]["securitySchemes"]) >= {"hostToken", "sessionToken", "pokerToken"}


async def test_error_shapes_follow_each_spec(client: Client) -> None:
    document = await _document(client)
    paths, schemas = document["paths"], document["components"]["schemas"]

    def schema_of(path: str, method: str, status: str) -> Any:
        return paths[path][method]["responses"][status]["content"]["application/json"]["schema"]

    assert schema_of("/api/games/{id}", "get", "404") == {"$ref": "#/components/schemas/PlainError"}
    assert schemas["PlainError"]["required"] == ["error"]
    assert "additionalProperties" not in schemas["PlainError"]
    assert schema_of("/1/group/info", "get", "200") == {
        "anyOf": [{"$ref": "#/components/schemas/GroupInfoJson"}, {"$ref": "#/components/schemas/CoffeeError"}]
    }
    assert schema_of("/api/start-session", "post", "200") == {
        "anyOf": [{"$ref": "#/components/schemas/SessionStarted"}, {"$ref": "#/components/schemas/Failure"}]
    }
    assert schema_of("/api/start-session", "post", "429") == {"$ref": "#/components/schemas/Failure"}


async def test_docs_page_and_its_files_come_from_the_app(client: Client) -> None:
    page = await client.get("/api/docs")
    assert page.status == 200
    assert page.content_type == "text/html"
    html = await page.text()
    assert '<script src="docs/assets/swagger-ui-bundle.js"></script>' in html
    assert "//" not in html.replace("<!DOCTYPE html>", "")
    for name, kind in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("docs.js", "text/javascript"),
        ("favicon-32x32.png", "image/png"),
    ):
        asset = await client.get(f"/api/docs/assets/{name}")
        assert (asset.status, asset.content_type) == (200, kind), name
        assert len(await asset.read()) > 0
    missing = await client.get("/api/docs/assets/evil.js")
    assert missing.status == 404
    assert await missing.json() == {"error": "Not found"}
