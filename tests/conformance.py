"""Every response the test app sends, checked against the OpenAPI document of that app.

The ``client`` fixture attaches a ``Conformance`` to the app it tests, so the whole suite
doubles as a test that the document tells the truth: each answer's status must be
documented for its operation, and a JSON body must match the schema for that status.
"""

import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from jsonschema import Draft202012Validator

from tallybot.api.openapi.document import build_document, load_examples

# Every test builds the same app: its document and validators are made once per set of routes, not per test.
_Routes = frozenset[tuple[str, str]]
_DOCUMENTS: dict[_Routes, dict[str, Any]] = {}
_VALIDATORS: dict[tuple[_Routes, str, str, str], Draft202012Validator] = {}


class Conformance:
    """Collects every way the app's responses differ from its document."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._routes: _Routes | None = None
        self.problems: list[str] = []

    @classmethod
    def attach(cls, app: web.Application) -> "Conformance":
        """Check every response of ``app``, from its first request on."""
        conformance = cls(app)
        app.middlewares.insert(0, conformance.middleware)
        return conformance

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Pass the response on, noting where it breaks the document."""
        response = await handler(request)
        route = request.match_info.route
        # Unknown paths and the 405 fallbacks are not operations of the document.
        if isinstance(route, web.ResourceRoute) and route.method != "*":
            self._check(route, request.method, response)
        return response

    def _routes_of(self) -> _Routes:
        if self._routes is None:
            self._routes = frozenset(
                (route.method, route.resource.canonical) for route in self._app.router.routes() if route.resource
            )
        return self._routes

    def _document_of(self) -> dict[str, Any]:
        routes = self._routes_of()
        if routes not in _DOCUMENTS:
            _DOCUMENTS[routes] = dict(build_document(self._app, load_examples()))
        return _DOCUMENTS[routes]

    def _check(self, route: web.ResourceRoute, method: str, response: web.StreamResponse) -> None:
        resource = route.resource
        assert resource is not None
        path = resource.canonical
        if isinstance(resource, web.StaticResource):
            path = path.rstrip("/") + "/{filename}"
        where = f"{method} {path} -> {response.status}"
        operation = self._document_of()["paths"].get(path, {}).get(method.lower())
        if operation is None:
            self.problems.append(f"{where}: the operation is not in the document")
            return
        answer = operation["responses"].get(str(response.status))
        if answer is None:
            self.problems.append(f"{where}: status not documented ({', '.join(operation['responses'])})")
            return
        if method == "HEAD" or not isinstance(response, web.Response) or not response.body:
            return
        media = answer.get("content", {})
        if response.content_type not in media and "*/*" not in media:
            self.problems.append(f"{where}: {response.content_type} not documented ({', '.join(media)})")
        elif response.content_type == "application/json":
            body = response.body
            assert isinstance(body, bytes)
            validator = self._validator(path, method, str(response.status), media["application/json"]["schema"])
            for error in validator.iter_errors(json.loads(body)):
                self.problems.append(f"{where}: {error.message} at {list(error.absolute_path)}")

    def _validator(self, path: str, method: str, status: str, schema: dict[str, Any]) -> Draft202012Validator:
        key = (self._routes_of(), path, method, status)
        if key not in _VALIDATORS:
            # The components go beside the schema, so that its "#/components/..." references resolve.
            rooted = {**schema, "components": self._document_of()["components"]}
            _VALIDATORS[key] = Draft202012Validator(rooted)
        return _VALIDATORS[key]
