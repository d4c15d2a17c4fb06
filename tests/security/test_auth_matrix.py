"""The auth matrix: every route of the app, and how it treats a caller without the right token.

The routes come from the app's own router, so a route added later is in this test at once:
until it is entered in ``ROUTES`` below, ``test_every_route_is_in_the_table`` fails and
says so. Each entry is one of

- ``Guarded(guard)``: only the right token may use the route. The route is called, at its
  plain path and under ``/c/{community}``, with no token, a token that is not a bearer
  token, a malformed token, an expired token, a token of another community, and (where
  it applies) a token that is valid but not enough: a member's token where a host's is
  needed, a poker participant's where the owner's is. Each must get the refusal its spec
  documents, word for word.
- ``Open(reason)``: a route that anyone may call by design, with the reason.
- ``Reads(reason)``: a GET (or a WebSocket) that changes nothing.

Routes that only turn other methods away (the 405 fallbacks and the coffee catch-all)
are called with a method they do not serve and must refuse it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tallybot.core.services import Services
from tests.helpers import Client, FakeClock
from tests.security.refusals import (
    Case,
    Side,
    World,
    build_world,
    coffee_group_cases,
    coffee_team_cases,
    coffee_token_cases,
    coffee_transaction_cases,
    concrete,
    host_cases,
    owner_cases,
    seat_cases,
    session_cases,
)

# The table


Cases = Callable[[Side, World], list[Case]]
Payload = Callable[[Side, World], dict[str, Any]]


def nothing(side: Side, world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Guarded:
    """Only the right token may use the route. ``payload`` is a request it would accept from that token."""

    cases: Cases
    payload: Payload = nothing


@dataclass(frozen=True)
class Open:
    """Anyone may call the route, by design."""

    reason: str


@dataclass(frozen=True)
class Reads:
    """A GET that changes nothing."""

    reason: str


HOST = Guarded(host_cases)
SEAT = Guarded(seat_cases)
OWNER = Guarded(owner_cases)


def in_group(**extra: Any) -> Payload:
    def payload(side: Side, world: World) -> dict[str, Any]:
        return {"group_id": world.group, **extra}

    return payload


def coffee_transaction(side: Side, world: World) -> dict[str, Any]:
    return {"group_id": world.group, "user_id": world.member_id, "amount": 1}


def coffee_transaction_id(side: Side, world: World) -> dict[str, Any]:
    return {"transaction_id": world.transaction}


def coffee_team(side: Side, world: World) -> dict[str, Any]:
    return {"github_team_id": world.team}


def fixed(**values: Any) -> Payload:
    def payload(side: Side, world: World) -> dict[str, Any]:
        return values

    return payload


CALLBACK = "https://hooks.example.com/coffee"
LOGIN = Open("signs in with an e-mail address and password; rate limited per address and per account")
SIGN_UP = Open("creates an account and mails a code; rate limited per address")
PUBLIC_READ = Reads("public, as the game-night spec documents")
OVERLAY = Reads("an overlay or the dashboard: public or a viewer token (tests/api/web/test_overlay_access.py)")
DOCS = Reads("the API's own documentation")

ROUTES: dict[tuple[str, str], Guarded | Open | Reads] = {
    ("GET", "/healthz"): Reads("liveness"),
    ("GET", "/health"): Reads("liveness"),
    # Accounts
    ("GET", "/api/verify-session-uuid"): Guarded(session_cases("Could not verify session")),
    ("POST", "/api/start-session"): LOGIN,
    ("POST", "/api/login"): LOGIN,
    ("POST", "/api/log-in"): LOGIN,
    ("POST", "/api/authenticate"): LOGIN,
    ("POST", "/api/end-session"): Guarded(session_cases("Could not end session: it is unknown or has already ended")),
    ("POST", "/api/logout"): Guarded(session_cases("Could not end session: it is unknown or has already ended")),
    ("POST", "/api/sign-up"): SIGN_UP,
    ("POST", "/api/signup"): SIGN_UP,
    ("POST", "/api/confirm-email"): Open("redeems a mailed code; rate limited per address and per account"),
    ("POST", "/api/start-session-with-confirmation-code"): Open(
        "signs in with a mailed code; rate limited per address and per account"
    ),
    ("POST", "/api/send-confirmation-code"): Open("mails a code; rate limited per address and per account"),
    # Game-night admin login
    ("POST", "/api/auth/login"): Open(
        "trades an admin key for a host token; rate limited per address, and failures per community"
    ),
    ("POST", "/api/auth/verify"): HOST,
    # Game-night catalogue
    ("GET", "/api/games"): PUBLIC_READ,
    ("GET", "/api/games/packs"): PUBLIC_READ,
    ("GET", "/api/games/meta/packs"): PUBLIC_READ,
    ("GET", "/api/games/{id}"): PUBLIC_READ,
    ("GET", "/api/stats"): PUBLIC_READ,
    ("GET", "/api/games/export/csv"): HOST,
    ("POST", "/api/games/import/csv"): HOST,
    ("PATCH", "/api/games/packs/{name}/toggle"): HOST,
    ("PATCH", "/api/games/packs/{name}/favor"): HOST,
    ("POST", "/api/games"): HOST,
    ("PUT", "/api/games/{id}"): HOST,
    ("DELETE", "/api/games/{id}"): HOST,
    ("PATCH", "/api/games/{id}/toggle"): HOST,
    ("PATCH", "/api/games/{id}/favor"): HOST,
    ("POST", "/api/pick"): Open("draws a game at random and stores nothing"),
    # Game-night sessions, votes and the room monitor
    ("GET", "/api/sessions"): PUBLIC_READ,
    ("GET", "/api/sessions/active"): PUBLIC_READ,
    ("GET", "/api/sessions/{id}"): PUBLIC_READ,
    ("GET", "/api/sessions/{id}/games"): PUBLIC_READ,
    ("GET", "/api/sessions/{id}/votes"): PUBLIC_READ,
    ("GET", "/api/votes"): PUBLIC_READ,
    ("POST", "/api/sessions"): HOST,
    ("POST", "/api/sessions/{id}/close"): HOST,
    ("DELETE", "/api/sessions/{id}"): HOST,
    ("POST", "/api/sessions/{id}/games"): HOST,
    ("POST", "/api/sessions/{id}/chat-import"): HOST,
    ("GET", "/api/sessions/{id}/export"): HOST,
    ("PATCH", "/api/sessions/{session_id}/games/{session_game_id}/status"): HOST,
    ("DELETE", "/api/sessions/{session_id}/games/{session_game_id}"): HOST,
    ("PATCH", "/api/sessions/{session_id}/games/{session_game_id}/room-code"): HOST,
    ("PATCH", "/api/sessions/{session_id}/games/{session_game_id}/player-count"): HOST,
    ("POST", "/api/sessions/{session_id}/games/{session_game_id}/start-player-check"): HOST,
    ("POST", "/api/sessions/{session_id}/games/{session_game_id}/stop-player-check"): HOST,
    ("POST", "/api/votes/live"): HOST,
    # Event streams
    ("GET", "/api/sessions/live"): Reads("WebSocket: a token authenticates inside its protocol, to read events"),
    ("GET", "/api/events"): OVERLAY,
    ("GET", "/api/events/stream"): OVERLAY,
    # Webhooks
    ("GET", "/api/webhooks"): HOST,
    ("POST", "/api/webhooks"): HOST,
    ("GET", "/api/webhooks/{id}"): HOST,
    ("PATCH", "/api/webhooks/{id}"): HOST,
    ("DELETE", "/api/webhooks/{id}"): HOST,
    ("POST", "/api/webhooks/test/{id}"): HOST,
    ("GET", "/api/webhooks/{id}/logs"): HOST,
    # Planning poker
    ("POST", "/session/create"): Open("opens a session and hands its owner the first token"),
    ("POST", "/session/{session_id}/join"): Open(
        "hands a token to whoever knows the session id; unknown ids are rate limited per address"
    ),
    ("GET", "/session/{session_id}/prompt/wait"): Reads("a long poll for the prompt; the spec's clients send no token"),
    ("POST", "/session/{session_id}/prompt/wait"): Open("a long poll for the prompt; the spec's clients send no token"),
    ("POST", "/session/{session_id}/prompt/create"): Guarded(owner_cases, fixed(prompt="SSO")),
    ("POST", "/session/{session_id}/prompt/{prompt_id}/vote"): Guarded(seat_cases, fixed(vote="5")),
    ("POST", "/session/{session_id}/prompt/{prompt_id}/vote/submit"): Guarded(seat_cases, fixed(vote="5")),
    ("GET", "/session/{session_id}/prompt/{prompt_id}/watch"): SEAT,
    ("POST", "/session/{session_id}/prompt/{prompt_id}/watch"): SEAT,
    ("POST", "/session/{session_id}/prompt/{prompt_id}/reveal"): OWNER,
    ("POST", "/session/{session_id}/prompt/{prompt_id}/revote"): OWNER,
    ("POST", "/session/{session_id}/close"): OWNER,
    ("GET", "/session/{session_id}/history"): SEAT,
    # Coffee
    ("POST", "/1/auth"): Open("trades a provider's OAuth code for a token; rate limited per address"),
    ("GET", "/1/auth/authorize"): Reads("the provider's sign-in address"),
    ("POST", "/1/device/register"): Guarded(
        coffee_token_cases, fixed(uuid="device-1", token="push-token", token_type="gcm")
    ),
    ("GET", "/1/team/list"): Guarded(coffee_token_cases),
    ("GET", "/1/group/list"): Guarded(coffee_token_cases),
    ("GET", "/1/group/info"): Guarded(coffee_group_cases, in_group()),
    ("POST", "/1/group/create"): Guarded(coffee_team_cases, coffee_team),
    ("POST", "/1/group/update"): Guarded(coffee_group_cases, in_group()),
    ("POST", "/1/transaction/create"): Guarded(coffee_group_cases, coffee_transaction),
    ("GET", "/1/transaction/info"): Guarded(coffee_transaction_cases, coffee_transaction_id),
    ("GET", "/1/transaction/history"): Guarded(coffee_group_cases, in_group()),
    ("GET", "/1/user/info"): Guarded(coffee_token_cases),
    ("POST", "/1/callback/create"): Guarded(coffee_group_cases, in_group(url=CALLBACK)),
    ("GET", "/1/callback/list"): Guarded(coffee_group_cases, in_group()),
    ("GET", "/1/callback/status"): Guarded(coffee_group_cases, in_group(url=CALLBACK)),
    ("POST", "/1/callback/remove"): Guarded(coffee_group_cases, in_group(url=CALLBACK)),
    # Overlays, the dashboard and the API documentation
    ("GET", "/api/overlay/gamenight"): OVERLAY,
    ("GET", "/api/overlay/poker/{session_id}"): OVERLAY,
    ("GET", "/api/overlay/coffee/{group_id}"): OVERLAY,
    ("GET", "/overlay/gamenight"): OVERLAY,
    ("GET", "/overlay/poker/{session_id}"): OVERLAY,
    ("GET", "/overlay/coffee/{group_id}"): OVERLAY,
    ("GET", "/overlay/static/{name}"): Reads("the overlays' scripts and style sheets"),
    ("GET", "/"): OVERLAY,
    ("GET", "/api/openapi.json"): DOCS,
    ("GET", "/api/docs"): DOCS,
    ("GET", "/api/docs/assets/{name}"): DOCS,
}

COMMUNITY = "/c/{community}"


# The routes the app serves


@dataclass(frozen=True)
class Route:
    """A route of the app's router: its method, its path template, and whether it is under /c/{community}."""

    method: str
    path: str
    scoped: bool

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {COMMUNITY if self.scoped else ''}{self.path}"


def served(app: web.Application) -> list[Route]:
    """Every route of the router, HEAD left out (aiohttp adds one beside each GET)."""
    found = []
    for route in app.router.routes():
        resource = route.resource
        assert resource is not None
        path = resource.canonical
        scoped = path.startswith(COMMUNITY + "/")
        if route.method != "HEAD":
            found.append(Route(route.method, path.removeprefix(COMMUNITY) if scoped else path, scoped))
    return found


def app_of(client: Client) -> web.Application:
    app = client.app
    assert app is not None
    return app


async def test_every_route_is_in_the_table(client: Client) -> None:
    routes = [route for route in served(app_of(client)) if route.method != "*"]
    missing = sorted({f"{route.method} {route.path}" for route in routes if route.key not in ROUTES})
    assert not missing, (
        "routes missing from the auth table in tests/security/test_auth_matrix.py (say who may call each one):\n"
        + "\n".join(missing)
    )
    stale = sorted(f"{method} {path}" for method, path in ROUTES if (method, path) not in {r.key for r in routes})
    assert not stale, "entries for routes the app no longer serves:\n" + "\n".join(stale)


def test_reads_are_gets_and_open_routes_are_not() -> None:
    wrong = [
        f"{method} {path}"
        for (method, path), entry in ROUTES.items()
        if (isinstance(entry, Reads) and method != "GET") or (isinstance(entry, Open) and method == "GET")
    ]
    assert not wrong, "Reads is for GET routes, Open for the others: " + ", ".join(wrong)


async def ask(client: Client, method: str, path: str, headers: dict[str, str], payload: dict[str, Any]) -> Any:
    if method == "GET":
        response = await client.request(method, path, headers=headers, params=payload)
    else:
        response = await client.request(method, path, headers=headers, json=payload)
    text = await response.text()
    return response.status, (await response.json() if response.content_type == "application/json" else text)


def without_timestamp(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: value for key, value in body.items() if key != "reply_timestamp"}
    return body


# The matrix


async def test_every_guarded_route_refuses_every_wrong_caller(
    client: Client, services: Services, clock: FakeClock
) -> None:
    world = await build_world(services, clock)
    problems = []
    checked = 0
    for route in served(app_of(client)):
        entry = ROUTES.get(route.key)
        if not isinstance(entry, Guarded):
            continue
        side = world.scoped if route.scoped else world.plain
        path = concrete(route.path, side, world)
        for case in entry.cases(side, world):
            status, body = await ask(client, route.method, path, case.headers, entry.payload(side, world))
            checked += 1
            if (status, without_timestamp(body)) != (case.status, case.body):
                problems.append(f"{route} with {case.who}: got {status} {body}, wanted {case.status} {case.body}")
    assert not problems, f"{len(problems)} of {checked} refusals were wrong:\n" + "\n".join(problems)
    assert checked > 300


async def test_fallback_routes_refuse_methods_they_do_not_serve(client: Client, services: Services) -> None:
    routes = served(app_of(client))
    methods: dict[tuple[str, bool], set[str]] = {}
    for route in routes:
        methods.setdefault((route.path, route.scoped), set()).add(route.method)
    slug = services.default_community.slug
    problems = []
    checked = 0
    for route in routes:
        if route.method != "*":
            continue
        path = route.path.replace("{unknown:.*}", "nothing/here")
        for name in ("id", "name", "session_id", "prompt_id", "session_game_id", "group_id"):
            path = path.replace("{" + name + "}", "1")
        path = (f"/c/{slug}" if route.scoped else "") + path
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            if method in methods[(route.path, route.scoped)]:
                continue
            status, body = await ask(client, method, path, {}, {})
            checked += 1
            # Another route may match first (PUT /api/games/packs is PUT /api/games/{id}): any refusal will do.
            error = body.get("error") if isinstance(body, dict) else None
            coffee_refusal = status == 200 and isinstance(error, dict) and isinstance(error.get("type"), str)
            if status < 400 and not coffee_refusal:
                problems.append(f"{method} {path} (served by {route}): got {status} {body}")
    assert not problems, "fallback routes that did not refuse:\n" + "\n".join(problems)
    assert checked > 100
