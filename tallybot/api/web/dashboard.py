"""The dashboard at ``/`` (and ``/c/{community}/``): what is running, and the overlay URLs to copy.

It is plain server-rendered HTML; every value in it is escaped. The chat adapters and the
active game night are always shown. Open poker sessions and coffee groups are listed, with
their overlay URLs, only to an asker who may read the community's overlays (a public
community, or ``/?token=`` with a viewer token), since a poker session's id is enough
to join it. A viewer token given to the dashboard is put into the overlay URLs it shows.
"""

from html import escape
from typing import Annotated, NotRequired, TypedDict
from urllib.parse import quote

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.openapi.operations import Content, SpecDoc
from tallybot.api.params import bearer_token, community
from tallybot.api.web import overlays
from tallybot.api.web.overlay_feed import READERS
from tallybot.core.adapters import AdapterStatus
from tallybot.core.overlays import Dashboard, GameNightBoard
from tallybot.core.wire import Meta, utc_ms

PREFIX = ""
routes = web.RouteTableDef()
render_error = overlays.render_error

_HTML = Content("text/html")
API = SpecDoc("Overlays", _HTML, ids="dashboard")
VIEWER_PLACEHOLDER = "VIEWER_TOKEN"
_HIDDEN = (
    '<p class="muted details-hidden">Listed for a viewer token (<code>/?token=...</code>; make one with '
    "<code>tallybot token create --role viewer</code>), or for every visitor once the community is in "
    "<code>[overlays] public_communities</code>.</p>"
)


class DashboardQuery(TypedDict):
    """Who is looking."""

    token: NotRequired[Annotated[str, Meta(description="A viewer token: shows poker sessions and coffee groups")]]


def _copy(label: str, url: str) -> str:
    return (
        f'<li><span class="label">{escape(label)}</span><span class="copy">'
        f'<input readonly value="{escape(url)}" aria-label="{escape(label)} URL">'
        f'<button type="button" data-copy="{escape(url)}">Copy</button></span></li>'
    )


def _adapters(statuses: tuple[AdapterStatus, ...]) -> str:
    if not statuses:
        return '<p class="muted" id="adapters-none">No chat adapter is configured: the API runs alone.</p>'
    rows = "".join(
        f'<li data-adapter="{escape(status.name)}"><strong>{escape(status.name)}</strong> '
        f'<span class="state {"up" if status.connected else "down"}">'
        f"{'connected' if status.connected else 'not connected'}</span> "
        f'{escape(status.detail)} <span class="muted">since {escape(utc_ms(status.since))}</span></li>'
        for status in statuses
    )
    return f"<ul>{rows}</ul>"


def _game_night(board: GameNightBoard) -> str:
    if board.session is None:
        return '<p class="muted" id="gamenight-none">No game night is running.</p>'
    session = board.session
    lines = [
        f"<p>Session <strong>#{session.id}</strong> started {escape(utc_ms(session.created_at))}, "
        f"{session.games_played} game(s) played.</p>"
    ]
    game = board.game
    if game is not None:
        players = "unknown" if game.player_count is None else str(game.player_count)
        lines.append(
            f'<p id="gamenight-game"><strong>{escape(game.title)}</strong> ({escape(game.pack_name)}), '
            f"{escape(game.status.value)}; room code {escape(game.room_code or 'none')}; players {players}; "
            f"votes +{game.upvotes} / -{game.downvotes}</p>"
        )
    return "".join(lines)


def _listing(items: list[str], shown: bool) -> str:
    if not shown:
        return _HIDDEN
    return f'<ul class="urls">{"".join(items)}</ul>' if items else '<p class="muted">None.</p>'


def _body(dashboard: Dashboard, origin: str, base: str, suffix: str) -> str:
    overlay = f"{origin}{base}/overlay"
    sessions = [
        _copy(f"Poker {session.public_id}", f"{overlay}/poker/{session.public_id}{suffix}")
        for session in dashboard.poker_sessions
    ]
    groups = [
        _copy(f"Coffee: {group.name}", f"{overlay}/coffee/{group.id}{suffix}") for group in dashboard.coffee_groups
    ]
    where = dashboard.community
    return (
        f"<header><h1>tallybot</h1><p>Community <strong>{escape(where.name)}</strong> "
        f"(<code>{escape(where.slug)}</code>)</p></header>"
        f'<section id="adapters"><h2>Chat adapters</h2>{_adapters(dashboard.adapters)}</section>'
        f'<section id="gamenight"><h2>Game night</h2>{_game_night(dashboard.game_night)}'
        f'<ul class="urls">{_copy("Game-night overlay", f"{overlay}/gamenight{suffix}")}</ul></section>'
        f'<section id="poker"><h2>Open poker sessions</h2>{_listing(sessions, dashboard.details_shown)}</section>'
        f'<section id="coffee"><h2>Coffee groups</h2>{_listing(groups, dashboard.details_shown)}</section>'
        f'<section id="docs"><h2>API</h2><ul class="urls">'
        f'<li><a href="{escape(base)}/api/docs">Interactive API reference</a></li>'
        f'<li><a href="{escape(base)}/api/openapi.json">OpenAPI document</a></li></ul>'
        f'<p class="muted">Overlay URLs take <code>?theme=dark</code> or <code>?theme=light</code>.</p></section>'
    )


@routes.get("/")
@API({200: _HTML}, query=DashboardQuery, security=READERS, optional_auth=True, errors=(401, 403))
async def dashboard(request: web.Request) -> web.Response:
    """What is running: chat adapters, the game night, open poker sessions and coffee groups, with overlay URLs."""
    where = await community(request)
    service = request.config_dict[SERVICES].overlays
    url_token = request.query.get("token")
    shown = await service.may_read(where, url_token, bearer_token(request))
    board = await service.dashboard(where, shown)
    if url_token is not None:
        token: str | None = url_token
    else:
        token = None if service.is_public(where) else VIEWER_PLACEHOLDER
    suffix = "?theme=dark" + ("" if token is None else f"&token={quote(token, safe='')}")
    base = overlays.base_path(request)
    body = _body(board, str(request.url.origin()), base, suffix)
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>tallybot · {escape(where.name)}</title>"
        f'<link rel="stylesheet" href="{escape(base)}/overlay/static/dashboard.css"></head>'
        f'<body>{body}<script src="{escape(base)}/overlay/static/dashboard.js"></script></body></html>'
    )
    return web.Response(text=page, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-store"})
