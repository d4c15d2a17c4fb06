"""The API's own description: ``/api/openapi.json`` and the Swagger UI page at ``/api/docs``.

Swagger UI's files come from the ``swagger-ui-py`` package, found on disk without
importing it, and the page's own files from ``tallybot/data/api_docs``; the app serves
them all, so the page works with no network. The document is built on the first request,
once the router can no longer change, and kept with the files for the app's lifetime.
"""

import importlib.util
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, TypedDict

from aiohttp import web

from tallybot.api.browser import page_policy
from tallybot.api.middlewares import PlainError
from tallybot.api.openapi.document import OpenApiDocument, build_document, load_examples
from tallybot.api.openapi.operations import Content, SpecDoc
from tallybot.core.wire import Meta

routes = web.RouteTableDef()
API = SpecDoc("API description", PlainError, ids="docs")

_SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
_OWN_FILES = {"docs.js": "text/javascript", "docs.css": "text/css"}
_HTML = Content("text/html")
# The page may load nothing from elsewhere: a browser then refuses any CDN by itself. Its scripts
# are files; Swagger UI's style sheet draws its icons as data: URLs.
_CSP = page_policy({"img-src": "'self' data:"})
_ASSET = (Content("text/javascript"), Content("text/css"), Content("image/png", {"type": "string", "format": "binary"}))


class AssetPath(TypedDict):
    """Which file of the docs page."""

    name: Annotated[str, Meta(enum=[*_SWAGGER_FILES, *_OWN_FILES])]


def _swagger_ui_folder() -> Path:
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _own_file(name: str) -> bytes:
    return resources.files("tallybot.data").joinpath("api_docs", name).read_bytes()


class DocsCache:
    """The document and the page's files of one app, read on first use."""

    def __init__(self) -> None:
        self._document: bytes | None = None
        self._files: dict[str, bytes] = {}

    def document(self, app: web.Application) -> bytes:
        """The OpenAPI document as JSON."""
        if self._document is None:
            self._document = json.dumps(build_document(app, load_examples())).encode()
        return self._document

    def asset(self, name: str) -> web.Response:
        """One of the page's files; anything else is not found."""
        if name in _SWAGGER_FILES:
            kind = _SWAGGER_FILES[name]
            body = self._files.get(name) or (_swagger_ui_folder() / name).read_bytes()
        elif name in _OWN_FILES:
            kind = _OWN_FILES[name]
            body = self._files.get(name) or _own_file(name)
        else:
            raise web.HTTPNotFound()
        self._files[name] = body
        return web.Response(body=body, content_type=kind, headers={"Cache-Control": "public, max-age=3600"})


DOCS = web.AppKey("docs", DocsCache)


@routes.get("/api/openapi.json")
@API({200: OpenApiDocument})
async def openapi_document(request: web.Request) -> web.Response:
    """This document: every route the app serves, its shapes, errors and examples."""
    body = request.config_dict[DOCS].document(request.app)
    return web.Response(body=body, content_type="application/json")


@routes.get("/api/docs")
@API({200: _HTML})
async def docs_page(request: web.Request) -> web.Response:
    """An interactive reference of this API (Swagger UI), served with no outside files."""
    return web.Response(
        body=_own_file("index.html"), content_type="text/html", headers={"Content-Security-Policy": _CSP}
    )


@routes.get("/api/docs/assets/{name}")
@API({200: _ASSET}, errors=(404,), path=AssetPath)
async def docs_asset(request: web.Request) -> web.Response:
    """A script, style sheet or icon of the docs page."""
    return request.config_dict[DOCS].asset(request.match_info["name"])


def add_routes(root: web.Application) -> None:
    """Serve the document and the docs page on the root app."""
    root[DOCS] = DocsCache()
    root.router.add_routes(routes)
