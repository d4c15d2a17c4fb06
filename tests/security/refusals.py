"""The callers the auth matrix turns away, per guard, and the world they are tried in.

A ``Side`` is one community with tokens of every kind for it; a ``World`` has two sides
(the default community, at the plain paths, and another one under ``/c/{community}``),
each the other's "another community", and a coffee group with an outsider.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tallybot.core.gamenight import GameDetails
from tallybot.core.models import Community, Platform, Provider, Role
from tallybot.core.services import Services
from tests.helpers import FakeClock, host_of

# Refusals


@dataclass(frozen=True)
class Case:
    """One caller who must be turned away, and the answer they must get."""

    who: str
    headers: dict[str, str]
    status: int
    body: Any


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


NOT_BEARER = {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}
MALFORMED = bearer("not a token!")


@dataclass(frozen=True)
class Side:
    """One community the routes are called for, with tokens of every kind for it."""

    prefix: str
    host: str
    member: str
    expired_host: str
    elsewhere_host: str
    poker_id: str
    poker_owner: str
    poker_joiner: str
    elsewhere_poker: str
    night: int
    night_game: int
    game: int


@dataclass(frozen=True)
class World:
    """Everything the routes are called with: two sides, and the coffee scoreboard."""

    plain: Side
    scoped: Side
    group: int
    member_id: int
    transaction: int
    team: str
    person: str
    expired_person: str
    outsider: str


def host_cases(side: Side, world: World) -> list[Case]:
    """Game night and webhooks: ``{"error": ...}`` with 401 for no token and 403 for a wrong one."""
    missing = {"error": "Access token required"}
    invalid = {"error": "Invalid or expired token"}
    not_host = {"error": "This needs a host token for this community"}
    return [
        Case("no token", {}, 401, missing),
        Case("not a bearer token", NOT_BEARER, 401, missing),
        Case("a malformed token", MALFORMED, 403, invalid),
        Case("an expired host token", bearer(side.expired_host), 403, invalid),
        Case("another community's host token", bearer(side.elsewhere_host), 403, not_host),
        Case("a member's token", bearer(side.member), 403, not_host),
        Case("a coffee drinker's session", bearer(world.person), 403, not_host),
    ]


def envelope(message: str) -> dict[str, Any]:
    return {"success": False, "message": message}


def session_cases(message: str) -> Callable[[Side, World], list[Case]]:
    """Accounts routes that act on the session token itself: the accounts envelope.

    A session is a person's, not a community's, so there is no other community's token
    to try: ending your own session is all these routes do.
    """

    def cases(side: Side, world: World) -> list[Case]:
        required = envelope("session_uuid is required")
        return [
            Case("no token", {}, 400, required),
            Case("not a bearer token", NOT_BEARER, 400, required),
            Case("a malformed token", MALFORMED, 200, envelope(message)),
            Case("an expired session", bearer(world.expired_person), 200, envelope(message)),
            Case("an API token", bearer(side.host), 200, envelope(message)),
        ]

    return cases


def seat_cases(side: Side, world: World) -> list[Case]:
    """Poker routes for any participant: 401 ``{"error": ...}``, as the poker spec answers a non-owner."""
    missing = {"error": "This needs your participant token (Authorization: Bearer <token>)"}
    invalid = {"error": f"That token is not valid for session {side.poker_id}"}
    return [
        Case("no token", {}, 401, missing),
        Case("not a bearer token", NOT_BEARER, 401, missing),
        Case("a malformed token", MALFORMED, 401, invalid),
        Case("an expired host token", bearer(side.expired_host), 401, invalid),
        Case("another community's poker token", bearer(side.elsewhere_poker), 401, invalid),
        Case("the community's host token", bearer(side.host), 401, invalid),
    ]


def owner_cases(side: Side, world: World) -> list[Case]:
    """Poker routes for the session's owner only: a participant is refused as well."""
    not_owner = {"error": f"Only the owner of session {side.poker_id} can do that"}
    return [
        *seat_cases(side, world),
        Case("a participant who is not the owner", bearer(side.poker_joiner), 401, not_owner),
    ]


def coffee_error(kind: str, message: str, parameter: str, problem: str) -> dict[str, Any]:
    return {
        "error": {"type": kind, "message": message, "parameters": {parameter: [{"type": problem, "message": message}]}}
    }


def coffee_token_cases(side: Side, world: World) -> list[Case]:
    """Coffee routes: HTTP 200 with the error under ``headers.authorization``."""
    auth = "headers.authorization"
    missing = coffee_error("unauthorized", "Access token required", auth, "missing")
    invalid = coffee_error("unauthorized", "Invalid or expired token", auth, "invalid")
    api_token = "This needs a person's access token from /1/auth, not an API token"
    return [
        Case("no token", {}, 200, missing),
        Case("not a bearer token", NOT_BEARER, 200, missing),
        Case("a malformed token", MALFORMED, 200, invalid),
        Case("an expired session", bearer(world.expired_person), 200, invalid),
        Case("a host API token", bearer(side.host), 200, coffee_error("unauthorized", api_token, auth, "invalid")),
    ]


def coffee_group_cases(side: Side, world: World) -> list[Case]:
    """Coffee routes about one group: a person of another community, not in it, finds no such group."""
    message = f"You are not in a group with id {world.group}"
    outsider = coffee_error("not_found", message, "group_id", "not_found")
    return [*coffee_token_cases(side, world), Case("another community's person", bearer(world.outsider), 200, outsider)]


def coffee_transaction_cases(side: Side, world: World) -> list[Case]:
    """Reading a transaction: to a person of another community, not in its group, it does not exist."""
    message = f"Transaction {world.transaction} is not in any of your groups"
    outsider = coffee_error("not_found", message, "transaction_id", "not_found")
    return [*coffee_token_cases(side, world), Case("another community's person", bearer(world.outsider), 200, outsider)]


def coffee_team_cases(side: Side, world: World) -> list[Case]:
    """Making a group: a person of another community cannot make one from this community's members."""
    message = f"{world.team} is not one of your teams"
    outsider = coffee_error("not_found", message, "github_team_id", "not_found")
    return [*coffee_token_cases(side, world), Case("another community's person", bearer(world.outsider), 200, outsider)]


# The world the routes are called in


async def build_world(services: Services, clock: FakeClock) -> World:
    """Two communities with tokens of every kind, poker sessions, game nights, and a coffee group."""
    home = services.default_community
    crew = await services.communities.ensure(Platform.DISCORD, "9001", "Crew")
    faraway = await services.communities.ensure(Platform.DISCORD, "9002", "Faraway")
    accounts = services.accounts
    alice = await accounts.chat_person(crew, Provider.DISCORD, "1", "alice", Role.MEMBER)
    bob = await accounts.chat_person(crew, Provider.DISCORD, "2", "bob", Role.MEMBER)
    eve = await accounts.chat_person(faraway, Provider.DISCORD, "3", "eve", Role.MEMBER)
    group = await services.coffee.create_group(alice.id, home, crew.slug, None, None)
    coffee = await services.coffee.create_transaction(alice.id, group.id, None, bob.id, 1)
    expiring = {
        where.id: await accounts.create_api_token(where, Role.HOST, "old", expires_at=clock.now + timedelta(hours=1))
        for where in (home, crew)
    }
    expired_person = (await accounts.open_session_for(alice)).token
    # Past every session's and the short-lived tokens' expiry; everything made below is fresh.
    clock.advance(timedelta(days=400))
    parts: dict[int, dict[str, Any]] = {}
    for where in (home, crew):
        seat = await services.poker.create_session(where, "Dale")
        assert seat.token is not None
        joiner = await services.poker.join(where, seat.session_id, "Jesse")
        await services.poker.create_prompt(where, seat.session_id, seat.token, "OIDC")
        game = await services.games.add_game(host_of(where), where, GameDetails("Test Pack", "Test Game", 1, 8))
        night = await services.game_nights.start(host_of(where), where, None)
        played = await services.game_nights.add_game(host_of(where), where, night.id, game.id, False, None)
        parts[where.id] = {
            "host": (await accounts.create_api_token(where, Role.HOST, "host")).secret,
            "member": (await accounts.create_api_token(where, Role.MEMBER, "member")).secret,
            "expired_host": expiring[where.id].secret,
            "poker_id": seat.session_id,
            "poker_owner": seat.token,
            "poker_joiner": joiner.token,
            "night": night.id,
            "night_game": played.id,
            "game": game.id,
        }

    def side(prefix: str, here: Community, elsewhere: Community) -> Side:
        return Side(
            prefix=prefix,
            elsewhere_host=parts[elsewhere.id]["host"],
            elsewhere_poker=parts[elsewhere.id]["poker_owner"],
            **parts[here.id],
        )

    return World(
        plain=side("", home, crew),
        scoped=side(f"/c/{crew.slug}", crew, home),
        group=group.id,
        member_id=bob.id,
        transaction=coffee.entries[0].transaction.id,
        team=crew.slug,
        person=(await accounts.open_session_for(alice)).token,
        expired_person=expired_person,
        outsider=(await accounts.open_session_for(eve)).token,
    )


def concrete(path: str, side: Side, world: World) -> str:
    """The path template with this side's ids in it."""
    if path.startswith("/session/"):
        values = {"session_id": side.poker_id, "prompt_id": "1"}
    elif path.startswith("/api/games/"):
        values = {"id": str(side.game), "name": "Test Pack"}
    elif path.startswith("/api/sessions/"):
        values = {"id": str(side.night), "session_id": str(side.night), "session_game_id": str(side.night_game)}
    else:
        values = {"id": "1"}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a parameter of {path}"
    return side.prefix + path
