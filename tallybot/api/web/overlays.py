"""Overlay pages for OBS browser sources: plain HTML, CSS and JavaScript, with no build step.

``/overlay/gamenight``, ``/overlay/poker/{session_id}`` and ``/overlay/coffee/{group_id}``
(and the same under ``/c/{community}``) serve a page from ``tallybot/data/overlays``; its
script fetches the state from ``/api/overlay/...`` and follows ``/api/events``. Pages have
a transparent background; ``?theme=`` picks their colours (``dark`` unless a known theme
is asked for). A page checks read access as its data does, so that a refused token shows
up as a readable page in OBS rather than as an empty overlay. Errors are small HTML pages.
"""

import html
from importlib import resources
from string import Template
from typing import Annotated, NotRequired, TypedDict

from aiohttp import web

from tallybot.api.browser import inline_styles, page_policy
from tallybot.api.openapi.operations import Content, SpecDoc
from tallybot.api.params import path_id
from tallybot.api.web.overlay_feed import READERS, readable_community
from tallybot.api.web.shapes import CoffeePath, PokerPath
from tallybot.core.errors import DomainError
from tallybot.core.wire import Meta

PREFIX = "/overlay"
routes = web.RouteTableDef()

THEMES = ("dark", "light")
ASSETS = {
    "overlay.css": "text/css",
    "overlay.js": "text/javascript",
    "gamenight.js": "text/javascript",
    "poker.js": "text/javascript",
    "coffee.js": "text/javascript",
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
}
_HTML = Content("text/html")
API = SpecDoc("Overlays", _HTML, ids="overlays")


class PageQuery(TypedDict):
    """How an overlay page looks and reads."""

    theme: NotRequired[Annotated[str, Meta(enum=list(THEMES), description="Colours; anything else is dark")]]
    token: NotRequired[Annotated[str, Meta(description="A viewer token of the community (never one that can write)")]]
    transport: NotRequired[Annotated[str, Meta(enum=["ws", "sse"], description="Force one kind of event stream")]]


class AssetPath(TypedDict):
    """Which script or style sheet."""

    name: Annotated[str, Meta(enum=list(ASSETS))]


def _file(name: str) -> str:
    return resources.files("tallybot.data").joinpath("overlays", name).read_text(encoding="utf-8")


_MESSAGE = _file("message.html")
# The message page carries its style, so that it needs no file: the policy lets exactly that style in.
_MESSAGE_POLICY = page_policy({"style-src": f"'self' {inline_styles(_MESSAGE)}"})


def html_page(title: str, body: str, status: int = 200) -> web.Response:
    """A small self-contained HTML page; ``title`` and ``body`` are escaped here."""
    text = Template(_MESSAGE).substitute(title=html.escape(title), body=html.escape(body))
    headers = {"Content-Security-Policy": _MESSAGE_POLICY}
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=headers)


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """An error as an HTML page that OBS shows legibly."""
    return html_page("Overlay unavailable", message, status)


def base_path(request: web.Request) -> str:
    """``/c/{community}`` when the page was asked for under it, else nothing."""
    slug = request.match_info.get("community")
    return "" if slug is None else f"/c/{slug}"


def theme_of(request: web.Request) -> str:
    """The asked-for theme, or the first one."""
    wanted = request.query.get("theme", "")
    return wanted if wanted in THEMES else THEMES[0]


def _page(request: web.Request, name: str, key: str) -> web.Response:
    values = {"theme": theme_of(request), "base": base_path(request), "key": key}
    text = Template(_file(name)).substitute({field: html.escape(value) for field, value in values.items()})
    return web.Response(text=text, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-store"})


@routes.get("/gamenight")
@API({200: _HTML}, query=PageQuery, security=READERS, optional_auth=True, errors=(401, 403))
async def game_night_page(request: web.Request) -> web.Response:
    """The game-night overlay: the current game, its room code and players, and a live up/down tally."""
    await readable_community(request)
    return _page(request, "gamenight.html", "")


@routes.get("/poker/{session_id}")
@API({200: _HTML}, query=PageQuery, path=PokerPath, security=READERS, optional_auth=True, errors=(401, 403))
async def poker_page(request: web.Request) -> web.Response:
    """The poker overlay: who has voted until the reveal (never the cards), then the cards and the result."""
    await readable_community(request)
    return _page(request, "poker.html", request.match_info["session_id"])


@routes.get("/coffee/{group_id}")
@API({200: _HTML}, query=PageQuery, path=CoffeePath, security=READERS, optional_auth=True, errors=(401, 403, 404))
async def coffee_page(request: web.Request) -> web.Response:
    """The coffee overlay: a group's leaderboard."""
    await readable_community(request)
    group_id = path_id(request, "group_id", "No coffee group with that id in this community")
    return _page(request, "coffee.html", str(group_id))


@routes.get("/static/{name}")
@API({200: (Content("text/css"), Content("text/javascript"))}, path=AssetPath, errors=(404,))
async def asset(request: web.Request) -> web.Response:
    """A style sheet or script of the overlays and the dashboard."""
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return web.Response(
        text=_file(name), content_type=ASSETS[name], charset="utf-8", headers={"Cache-Control": "no-cache"}
    )
