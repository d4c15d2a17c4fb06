"""The OpenAPI 3.1 document, built by walking the app's router.

Every route's handler carries the ``Operation`` its spec module declared (see
``api/openapi/operations.py``); its request and response shapes are the TypedDicts the handlers
build their bodies with, turned into JSON Schema by ``api/openapi/schema.py``. A route without an
operation is left out, and ``undocumented`` names it, which a test keeps empty.

The routes under ``/c/{community}`` are listed too, each beside its plain twin, with the
``community`` path parameter and the answer for an unknown community.

Examples come from ``tallybot/data/openapi_examples.json``: the spec files' own examples,
keyed by ``"METHOD /path"``, completed where a spec left out a field the real body has
(a test holds each one to its schema).
"""

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from importlib import metadata, resources
from typing import Any, TypedDict, is_typeddict

from aiohttp import web

from tallybot.api.openapi.operations import FALLBACK, OPERATION, Content, Operation, reason
from tallybot.api.openapi.schema import JsonSchema, Schemas, query_fields

COMMUNITY_PREFIX = "/c/{community}"
_JSON = ("application/json",)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{(\w+)\}")

_SECURITY_SCHEMES = {
    "hostToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A host's token: from POST /api/auth/login (an admin key), or an accounts session "
        "of a person who hosts the community.",
    },
    "sessionToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A person's session: from /api/start-session, /api/start-session-with-confirmation-code "
        "or the coffee API's /1/auth.",
    },
    "viewerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A read-only viewer token for overlays (tallybot token create --role viewer); overlay "
        "pages and event streams also take it as ?token=. A token that can write is refused there.",
    },
    "pokerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A planning-poker participant's token, from /session/create or /session/{id}/join.",
    },
}
_COMMUNITY_PARAMETER = {
    "name": "community",
    "in": "path",
    "required": True,
    "description": "The community's slug; the same route without /c/{community} serves the default community.",
    "schema": {"type": "string"},
}
OpenApiDocument = TypedDict(
    "OpenApiDocument",
    {
        "openapi": str,
        "info": dict[str, Any],
        "servers": list[dict[str, Any]],
        "paths": dict[str, Any],
        "components": dict[str, Any],
        "x-fallback-routes": list[dict[str, str]],
    },
)
OpenApiDocument.__doc__ = """An OpenAPI 3.1 document; ``x-fallback-routes`` lists the routes that only turn
requests away (another method on a known path, an unknown path under a prefix)."""

_STATIC = {
    "summary": "A static file",
    "description": "Served from the app's own files; nothing comes from another host.",
}


def load_examples() -> dict[str, Any]:
    """Request and response examples from the spec files, keyed by ``"METHOD /path"``."""
    text = resources.files("tallybot.data").joinpath("openapi_examples.json").read_text(encoding="utf-8")
    examples: dict[str, Any] = json.loads(text)
    return examples


def routes_of(app: web.Application) -> Iterator[tuple[str, str, Any]]:
    """Every (method, path template, handler) the app serves; static folders as ``{prefix}/{filename}``."""
    for resource in app.router.resources():
        path = resource.canonical
        if isinstance(resource, web.StaticResource):
            path = path.rstrip("/") + "/{filename}"
        for route in resource:
            yield route.method, path, route.handler


def undocumented(app: web.Application) -> list[str]:
    """The routes that carry neither an operation nor a fallback mark, as ``METHOD path``."""
    missing = []
    for method, path, handler in routes_of(app):
        served = hasattr(handler, OPERATION) or _is_static(handler)
        if not (hasattr(handler, FALLBACK) if method == "*" else served):
            missing.append(f"{method} {path}")
    return missing


def _is_static(handler: Any) -> bool:
    return isinstance(getattr(handler, "__self__", None), web.StaticResource)


class _Builder:
    def __init__(self, app: web.Application, examples: Mapping[str, Any]) -> None:
        self.schemas = Schemas()
        self.examples = examples
        self.shared = Counter(
            _base_id(handler, method.lower(), path)
            for method, path, handler in routes_of(app)
            if hasattr(handler, OPERATION)
        )

    def content(self, shapes: tuple[Any, ...], example: Any = None, media: tuple[str, ...] = _JSON) -> JsonSchema:
        """The media types of a body that may take any of ``shapes``; JSON shapes under each of ``media``."""
        found: JsonSchema = {}
        schemas = [self.schemas.of(shape) for shape in shapes if not isinstance(shape, Content)]
        if schemas:
            body: JsonSchema = {"schema": schemas[0] if len(schemas) == 1 else {"anyOf": schemas}}
            if example is not None:
                body["example"] = example
            found.update(dict.fromkeys(media, body))
        for shape in shapes:
            if isinstance(shape, Content):
                found[shape.media_type] = {"schema": dict(shape.schema)}
        return found

    def responses(self, operation: Operation, method: str, community: bool, examples: Mapping[str, Any]) -> JsonSchema:
        answers = dict(operation.responses)
        if community and operation.error is not None:
            status = operation.unknown_community
            if operation.error not in answers.get(status, ()):
                answers[status] = (*answers.get(status, ()), operation.error)
        documented: JsonSchema = {}
        for status, shapes in sorted(answers.items()):
            answer: JsonSchema = {"description": reason(status)}
            bodies = tuple(shape for shape in shapes if shape is not None)
            if bodies and method != "head":
                answer["content"] = self.content(bodies, examples.get(str(status)))
            documented[str(status)] = answer
        return documented

    def parameters(self, path: str, operation: Operation | None) -> list[JsonSchema]:
        declared = {} if operation is None or operation.path is None else dict(_fields(operation.path))
        found = []
        for name in _PARAMETER.findall(path):
            if name == "community" and path.startswith(COMMUNITY_PREFIX):
                found.append(_COMMUNITY_PARAMETER)
                continue
            schema = self.schemas.of(declared[name]) if name in declared else {"type": "string"}
            found.append({"name": name, "in": "path", "required": True, "schema": schema})
        if operation is not None and operation.query is not None:
            for name, hint, required in query_fields(operation.query):
                found.append({"name": name, "in": "query", "required": required, "schema": self.schemas.of(hint)})
        return found

    def operation_id(self, handler: Any, method: str, path: str) -> str:
        """``module_handler``; a handler served on several routes (aliases, GET and POST) adds the route."""
        base = _base_id(handler, method, path)
        if self.shared[base] > 1:
            verb = [] if method == "head" else [method]
            base = "_".join([base, *verb, *re.findall(r"\w+", path.removeprefix(COMMUNITY_PREFIX))])
        return base

    def operation(self, method: str, path: str, handler: Any) -> JsonSchema | None:
        operation: Operation | None = getattr(handler, OPERATION, None)
        if operation is None:
            return self.static(method, path) if _is_static(handler) else None
        community = path.startswith(COMMUNITY_PREFIX)
        plain = path.removeprefix(COMMUNITY_PREFIX) if community else path
        examples = self.examples.get(f"{'GET' if method == 'head' else method.upper()} {plain}", {})
        documented: JsonSchema = {
            "tags": [f"{tag} (any community)" if community else tag for tag in operation.tags],
            "summary": operation.summary,
            "operationId": self.operation_id(handler, method, path),
        }
        if operation.description:
            documented["description"] = operation.description
        parameters = self.parameters(path, operation)
        if parameters:
            documented["parameters"] = parameters
        if operation.request is not None:
            shapes = operation.request if isinstance(operation.request, tuple) else (operation.request,)
            media = self.content(shapes, examples.get("request"), operation.request_media)
            documented["requestBody"] = {"required": any(map(_needs_body, shapes)), "content": media}
        documented["responses"] = self.responses(operation, method, community, examples.get("responses", {}))
        if operation.security:
            requirements: list[dict[str, list[str]]] = [{name: []} for name in operation.security]
            documented["security"] = [*requirements, {}] if operation.optional_auth else requirements
        return documented

    def static(self, method: str, path: str) -> JsonSchema:
        return {
            **_STATIC,
            "tags": ["Static files"],
            "operationId": "_".join(["static", method, *re.findall(r"\w+", path)]),
            "parameters": self.parameters(path, None),
            "responses": {
                "200": {"description": reason(200), "content": {"*/*": {"schema": {}}}},
                "403": {"description": reason(403)},
                "404": {"description": reason(404)},
            },
        }


def _base_id(handler: Any, method: str, path: str) -> str:
    head = "_head" if method == "head" else ""
    elsewhere = "_in_community" if path.startswith(COMMUNITY_PREFIX) else ""
    operation: Operation = getattr(handler, OPERATION)
    return f"{operation.id_prefix}_{handler.__name__}{head}{elsewhere}"


def _needs_body(shape: Any) -> bool:
    """A body of this shape must be sent: it is not JSON, or has a field that is required."""
    return not is_typeddict(shape) or bool(shape.__required_keys__)


def _fields(shape: Any) -> Iterator[tuple[str, Any]]:
    for name, hint, _ in query_fields(shape):
        yield name, hint


def build_document(app: web.Application, examples: Mapping[str, Any]) -> OpenApiDocument:
    """The OpenAPI 3.1 document of every route the app serves."""
    builder = _Builder(app, examples)
    paths: dict[str, dict[str, Any]] = {}
    fallbacks: list[dict[str, str]] = []
    for method, path, handler in routes_of(app):
        if method == "*":
            if hasattr(handler, FALLBACK):
                fallbacks.append({"path": path, "answers": getattr(handler, FALLBACK)})
            continue
        documented = builder.operation(method.lower(), path, handler)
        if documented is not None:
            paths.setdefault(path, {})[method.lower()] = documented
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tallybot",
            "version": metadata.version("tallybot"),
            "description": "Game nights, planning poker, a coffee scoreboard and accounts, for Discord and "
            "Twitch communities. Each spec's routes keep that spec's error format.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            path: dict(sorted(item.items(), key=lambda pair: _METHODS.index(pair[0]))) for path, item in paths.items()
        },
        "components": {"schemas": builder.schemas.components, "securitySchemes": _SECURITY_SCHEMES},
        "x-fallback-routes": fallbacks,
    }
