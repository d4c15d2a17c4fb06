"""The games catalogue API, ``POST /api/pick`` and ``GET /api/stats``, through the real app on SQLite."""

import contextlib
import sqlite3
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tallybot.core.models import Community, Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import Client, FakeClock

CREATED_AT = "2026-11-23T12:00:00.000Z"
PACK_7 = "Jackbox Party Pack 7"
QUIPLASH_3 = {
    "pack_name": PACK_7,
    "title": "Quiplash 3",
    "min_players": 3,
    "max_players": 8,
    "length_minutes": 15,
    "has_audience": 1,
    "family_friendly": 1,
    "game_type": "Writing",
    "secondary_type": None,
    "play_count": 0,
    "popularity_score": 0,
    "upvotes": 0,
    "downvotes": 0,
    "enabled": 1,
    "favor_bias": 0,
    "created_at": CREATED_AT,
}
CUSTOM = {
    "pack_name": "House Games",
    "title": "Charades",
    "min_players": 4,
    "max_players": 20,
    "length_minutes": 30,
    "has_audience": False,
    "family_friendly": True,
    "game_type": "Acting",
}
CUSTOM_BODY = {
    **QUIPLASH_3,
    **CUSTOM,
    "has_audience": 0,
    "family_friendly": 1,
    "secondary_type": None,
}
PACKS = [
    "Jackbox Party Pack 1",
    "Jackbox Party Pack 10",
    "Jackbox Party Pack 2",
    "Jackbox Party Pack 3",
    "Jackbox Party Pack 4",
    "Jackbox Party Pack 5",
    "Jackbox Party Pack 6",
    "Jackbox Party Pack 7",
    "Jackbox Party Pack 8",
    "Jackbox Party Pack 9",
    "The Jackbox Naughty Pack",
    "The Jackbox Party Starter",
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def token_for(services: Services, role: Role = Role.HOST, community: Community | None = None) -> str:
    issued = await services.accounts.create_api_token(community or services.default_community, role, "test")
    return issued.secret


@pytest.fixture
async def host(services: Services) -> dict[str, str]:
    return bearer(await token_for(services))


@pytest.fixture
async def other(services: Services) -> Community:
    return await services.communities.ensure(Platform.DISCORD, "123", "Other")


def sql(settings: Settings, query: str, params: tuple[object, ...] = ()) -> int:
    """Write rows that the sessions and votes features would write."""
    with contextlib.closing(sqlite3.connect(settings.storage.path)) as conn:
        cursor = conn.execute(query, params)
        conn.commit()
        return cursor.lastrowid or 0


async def call(client: Client, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    assert response.status == status, await response.text()
    return await response.json()


async def find(client: Client, title: str, pack: str | None = None, base: str = "") -> dict[str, Any]:
    games = await call(client, "GET", f"{base}/api/games")
    [found] = [game for game in games if game["title"] == title and pack in (None, game["pack_name"])]
    return dict(found)


async def quiplash_3(client: Client) -> int:
    return int((await find(client, "Quiplash 3", PACK_7))["id"])


# Reading the catalogue


async def test_the_catalogue_lists_every_shipped_game_by_pack_and_title(client: Client) -> None:
    games = await call(client, "GET", "/api/games")
    assert len(games) == 56
    assert [(game["pack_name"], game["title"]) for game in games] == sorted(
        (game["pack_name"], game["title"]) for game in games
    )
    assert games[0] == {
        "id": games[0]["id"],
        "pack_name": "Jackbox Party Pack 1",
        "title": "Drawful",
        "min_players": 3,
        "max_players": 8,
        "length_minutes": 15,
        "has_audience": 0,
        "family_friendly": 1,
        "game_type": "Drawing",
        "secondary_type": "Bluffing",
        "play_count": 0,
        "popularity_score": 0,
        "upvotes": 0,
        "downvotes": 0,
        "enabled": 1,
        "favor_bias": 0,
        "created_at": CREATED_AT,
    }


async def test_one_game_is_read_by_id(client: Client) -> None:
    game_id = await quiplash_3(client)
    assert await call(client, "GET", f"/api/games/{game_id}") == {"id": game_id, **QUIPLASH_3}


@pytest.mark.parametrize("game_id", ["999999", "abc", "9223372036854775808", "1" * 5000, "\u00b2"])
async def test_an_unknown_game_is_a_404(client: Client, game_id: str) -> None:
    assert await call(client, "GET", f"/api/games/{game_id}", 404) == {"error": "Game not found"}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("playerCount=100", ["Lie Swatter"]),
        ("playerCount=10&drawing=only", ["Drawful Animate"]),
        ("length=long", ["Patently Stupid", "Roomerang"]),
        (
            "length=medium&pack=Jackbox Party Pack 8",
            ["Job Job", "The Poll Mine", "The Wheel of Enormous Proportions", "Weapons Drawn"],
        ),
        ("length=short&drawing=exclude&pack=Jackbox Party Pack 1", ["Fibbage XL", "Lie Swatter", "Word Spud"]),
        ("familyFriendly=false&pack=Jackbox Party Pack 2", ["Earwax", "Quiplash XL"]),
        ("familyFriendly=true&playerCount=16&enabled=true", ["Bracketeering", "Lie Swatter"]),
        ("enabled=false", []),
        ("pack=No Such Pack", []),
    ],
)
async def test_games_are_filtered_by_the_query_string(client: Client, query: str, titles: list[str]) -> None:
    games = await call(client, "GET", f"/api/games?{query}")
    assert sorted(game["title"] for game in games) == titles


async def test_bad_filters_are_a_400_naming_each_one(client: Client) -> None:
    query = "enabled=maybe&playerCount=many&drawing=sometimes&length=epic&familyFriendly=2"
    assert await call(client, "GET", f"/api/games?{query}", 400) == {
        "error": "Invalid parameters: enabled must be true or false; playerCount must be a whole number; "
        "drawing must be only or exclude; length must be short, medium or long; familyFriendly must be true or false"
    }
    assert await call(client, "GET", "/api/games?playerCount=0", 400) == {
        "error": "Invalid parameters: playerCount must be at least 1"
    }


async def test_packs_are_listed_with_their_favour(client: Client) -> None:
    assert await call(client, "GET", "/api/games/packs") == [{"name": name, "favor_bias": 0} for name in PACKS]


async def test_pack_metadata_counts_games_enabled_games_and_plays(
    client: Client, host: dict[str, str], settings: Settings, services: Services
) -> None:
    game_id = await quiplash_3(client)
    query = "INSERT INTO game_stats (community_id, game_id, play_count) VALUES (?, ?, 4)"
    sql(settings, query, (services.default_community.id, game_id))
    await call(client, "PATCH", f"/api/games/{game_id}/toggle", headers=host)
    meta = await call(client, "GET", "/api/games/meta/packs")
    assert [pack["name"] for pack in meta] == PACKS
    assert meta[PACKS.index(PACK_7)] == {
        "name": PACK_7,
        "favor_bias": 0,
        "total_count": 5,
        "enabled_count": 4,
        "total_plays": 4,
    }


# Custom games


async def test_a_host_adds_a_custom_game(client: Client, host: dict[str, str]) -> None:
    added = await call(client, "POST", "/api/games", 201, json=CUSTOM, headers=host)
    assert added == {**CUSTOM_BODY, "id": added["id"]}
    assert await call(client, "GET", f"/api/games/{added['id']}") == added
    assert len(await call(client, "GET", "/api/games")) == 57


async def test_flags_may_be_sent_as_0_and_1_as_games_are_written(client: Client, host: dict[str, str]) -> None:
    payload = {**CUSTOM, "has_audience": 1, "family_friendly": 0}
    added = await call(client, "POST", "/api/games", 201, json=payload, headers=host)
    assert (added["has_audience"], added["family_friendly"]) == (1, 0)


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        (
            {},
            400,
            "Invalid parameters: pack_name is required; title is required; min_players is required; "
            "max_players is required",
        ),
        ({**CUSTOM, "min_players": "four", "has_audience": "yes"}, 400, None),
        ({**CUSTOM, "min_players": 5, "max_players": 4}, 400, "max_players must be at least min_players"),
        ({**CUSTOM, "min_players": 10**4, "max_players": 10**5}, 400, "max_players must be at most 10000"),
        (
            {**CUSTOM, "min_players": 10**30, "max_players": 10**30},
            400,
            "Invalid parameters: min_players must be a whole number that fits in 64 bits; "
            "max_players must be a whole number that fits in 64 bits",
        ),
        (
            {**CUSTOM, "title": " ", "length_minutes": 0},
            400,
            "title is required; length_minutes must be from 1 to 1440",
        ),
        (
            {**CUSTOM, "pack_name": PACK_7, "title": "quiplash 3"},
            409,
            "A game called 'quiplash 3' is already in the pack 'Jackbox Party Pack 7'",
        ),
    ],
)
async def test_a_bad_custom_game_is_refused(
    client: Client, host: dict[str, str], payload: dict[str, Any], status: int, error: str | None
) -> None:
    expected = error or "Invalid parameters: min_players must be a whole number; has_audience must be true or false"
    assert await call(client, "POST", "/api/games", status, json=payload, headers=host) == {"error": expected}


async def test_a_body_that_is_not_json_is_a_400(client: Client, host: dict[str, str]) -> None:
    response = await client.post("/api/games", data=b"{nope", headers={**host, "Content-Type": "application/json"})
    assert (response.status, await response.json()) == (400, {"error": "The request body is not valid JSON"})


async def test_a_custom_game_is_replaced_with_put(client: Client, host: dict[str, str]) -> None:
    added = await call(client, "POST", "/api/games", 201, json=CUSTOM, headers=host)
    changed = {**CUSTOM, "max_players": 12, "secondary_type": "Party"}
    updated = await call(client, "PUT", f"/api/games/{added['id']}", json=changed, headers=host)
    assert updated == {**CUSTOM_BODY, "id": added["id"], "max_players": 12, "secondary_type": "Party"}


async def test_a_custom_game_is_deleted(client: Client, host: dict[str, str]) -> None:
    added = await call(client, "POST", "/api/games", 201, json=CUSTOM, headers=host)
    deleted = await call(client, "DELETE", f"/api/games/{added['id']}", headers=host)
    assert deleted == {"message": "Game deleted successfully"}
    assert await call(client, "GET", f"/api/games/{added['id']}", 404) == {"error": "Game not found"}


async def test_a_played_custom_game_cannot_be_deleted(
    client: Client, host: dict[str, str], settings: Settings, services: Services
) -> None:
    added = await call(client, "POST", "/api/games", 201, json=CUSTOM, headers=host)
    query = "INSERT INTO gamenight_sessions (community_id, created_at) VALUES (?, 'x')"
    session = sql(settings, query, (services.default_community.id,))
    query = "INSERT INTO session_games (session_id, game_id, played_at) VALUES (?, ?, 'x')"
    sql(settings, query, (session, added["id"]))
    assert await call(client, "DELETE", f"/api/games/{added['id']}", 409, headers=host) == {
        "error": "This game has been played in a session, so it cannot be deleted; disable it instead"
    }


async def test_catalogue_games_cannot_be_replaced_or_deleted(client: Client, host: dict[str, str]) -> None:
    game_id = await quiplash_3(client)
    error = {"error": "Games from the shipped catalogue cannot be edited or deleted; disable the game instead"}
    assert await call(client, "PUT", f"/api/games/{game_id}", 403, json=CUSTOM, headers=host) == error
    assert await call(client, "DELETE", f"/api/games/{game_id}", 403, headers=host) == error
    assert await call(client, "PUT", "/api/games/999999", 404, json=CUSTOM, headers=host) == {"error": "Game not found"}
    assert await call(client, "DELETE", "/api/games/999999", 404, headers=host) == {"error": "Game not found"}


# Toggles and favour


async def test_toggling_a_game_flips_whether_it_is_enabled(client: Client, host: dict[str, str]) -> None:
    game_id = await quiplash_3(client)
    toggled = await call(client, "PATCH", f"/api/games/{game_id}/toggle", headers=host)
    assert toggled == {"id": game_id, **QUIPLASH_3, "enabled": 0}
    assert [game["title"] for game in await call(client, "GET", "/api/games?enabled=false")] == ["Quiplash 3"]
    toggled = await call(client, "PATCH", f"/api/games/{game_id}/toggle", headers=host)
    assert toggled["enabled"] == 1
    assert await call(client, "PATCH", "/api/games/999999/toggle", 404, headers=host) == {"error": "Game not found"}


async def test_a_pack_is_disabled_and_enabled_as_a_whole(client: Client, host: dict[str, str]) -> None:
    path = f"/api/games/packs/{quote(PACK_7)}/toggle"
    body = await call(client, "PATCH", path, json={"enabled": False}, headers=host)
    assert body == {"message": "Pack disabled successfully", "gamesAffected": 5}
    disabled = await call(client, "GET", "/api/games?enabled=false")
    assert {game["pack_name"] for game in disabled} == {PACK_7}
    body = await call(client, "PATCH", path, json={"enabled": True}, headers=host)
    assert body == {"message": "Pack enabled successfully", "gamesAffected": 5}
    assert await call(client, "GET", "/api/games?enabled=false") == []


async def test_a_pack_toggle_needs_a_known_pack_and_a_flag(client: Client, host: dict[str, str]) -> None:
    path = f"/api/games/packs/{quote(PACK_7)}/toggle"
    assert await call(client, "PATCH", path, 400, json={}, headers=host) == {
        "error": "Invalid parameters: enabled is required"
    }
    assert await call(client, "PATCH", "/api/games/packs/Nope/toggle", 404, json={"enabled": True}, headers=host) == {
        "error": "Pack not found"
    }


async def test_favour_is_set_on_a_game_and_on_a_pack(client: Client, host: dict[str, str]) -> None:
    game_id = await quiplash_3(client)
    body = await call(client, "PATCH", f"/api/games/{game_id}/favor", json={"favor_bias": 1}, headers=host)
    assert body == {"message": "Favor bias updated successfully", "favor_bias": 1}
    assert (await call(client, "GET", f"/api/games/{game_id}"))["favor_bias"] == 1
    path = f"/api/games/packs/{quote(PACK_7)}/favor"
    body = await call(client, "PATCH", path, json={"favor_bias": -1}, headers=host)
    assert body == {"message": "Pack favor bias updated successfully", "favor_bias": -1}
    packs = await call(client, "GET", "/api/games/packs")
    assert packs[PACKS.index(PACK_7)] == {"name": PACK_7, "favor_bias": -1}


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "Invalid parameters: favor_bias is required"),
        ({"favor_bias": 2}, "favor_bias must be -1, 0 or 1"),
        ({"favor_bias": "1"}, "Invalid parameters: favor_bias must be a whole number"),
    ],
)
async def test_favour_must_be_minus_one_zero_or_one(
    client: Client, host: dict[str, str], payload: dict[str, Any], error: str
) -> None:
    game_id = await quiplash_3(client)
    for path in (f"/api/games/{game_id}/favor", f"/api/games/packs/{quote(PACK_7)}/favor"):
        assert await call(client, "PATCH", path, 400, json=payload, headers=host) == {"error": error}


async def test_favouring_an_unknown_game_or_pack_is_a_404(client: Client, host: dict[str, str]) -> None:
    payload = {"favor_bias": 1}
    assert await call(client, "PATCH", "/api/games/999999/favor", 404, json=payload, headers=host) == {
        "error": "Game not found"
    }
    assert await call(client, "PATCH", "/api/games/packs/Nope/favor", 404, json=payload, headers=host) == {
        "error": "Pack not found"
    }


# CSV


async def test_the_catalogue_is_exported_as_csv(client: Client, host: dict[str, str]) -> None:
    response = await client.get("/api/games/export/csv", headers=host)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="games.csv"'
    lines = (await response.text()).split("\r\n")
    assert lines[:3] == [
        "pack_name,title,min_players,max_players,length_minutes,has_audience,family_friendly,game_type,secondary_type",
        "Jackbox Party Pack 1,Drawful,3,8,15,0,1,Drawing,Bluffing",
        "Jackbox Party Pack 1,Fibbage XL,2,8,15,0,1,Bluffing,Trivia",
    ]
    assert len(lines) == 58
    assert lines[-1] == ""


async def test_games_are_imported_from_csv_text_or_json(client: Client, host: dict[str, str]) -> None:
    text = "pack_name,title,min_players,max_players\nHouse Games,Charades,4,20\nJackbox Party Pack 7,Quiplash 3,1,2\n"
    headers = {**host, "Content-Type": "text/csv"}
    body = await call(client, "POST", "/api/games/import/csv", data=text.encode(), headers=headers)
    assert body == {"message": "Import complete", "imported": 1, "updated": 0, "skipped": 1}
    text = text.replace("4,20", "2,20")
    body = await call(client, "POST", "/api/games/import/csv", json={"csvData": text}, headers=host)
    assert body == {"message": "Import complete", "imported": 0, "updated": 1, "skipped": 1}
    assert (await find(client, "Charades"))["min_players"] == 2
    assert (await find(client, "Quiplash 3", PACK_7))["min_players"] == 3


async def test_an_import_with_a_bad_row_writes_nothing(client: Client, host: dict[str, str]) -> None:
    text = "pack_name,title,min_players,max_players\nHouse Games,Charades,4,20\nHouse Games,Tag,lots,20\n"
    body = await call(client, "POST", "/api/games/import/csv", 400, json={"csvData": text}, headers=host)
    assert body == {
        "error": "The CSV has 1 bad row; nothing was imported",
        "errors": [{"row": 3, "message": "min_players must be a whole number"}],
    }
    assert len(await call(client, "GET", "/api/games")) == 56


async def test_an_import_needs_csv_data(client: Client, host: dict[str, str]) -> None:
    path = "/api/games/import/csv"
    assert await call(client, "POST", path, 400, json={}, headers=host) == {"error": "csvData is required"}
    headers = {**host, "Content-Type": "text/csv"}
    assert await call(client, "POST", path, 400, data=b"\xff\xfe", headers=headers) == {
        "error": "The CSV must be UTF-8 text"
    }


# Who may write


WRITES = [
    ("POST", "/api/games", CUSTOM),
    ("PUT", "/api/games/{id}", CUSTOM),
    ("DELETE", "/api/games/{id}", None),
    ("PATCH", "/api/games/{id}/toggle", None),
    ("PATCH", "/api/games/{id}/favor", {"favor_bias": 1}),
    ("PATCH", f"/api/games/packs/{quote(PACK_7)}/toggle", {"enabled": False}),
    ("PATCH", f"/api/games/packs/{quote(PACK_7)}/favor", {"favor_bias": 1}),
    ("GET", "/api/games/export/csv", None),
    ("POST", "/api/games/import/csv", {"csvData": "pack_name,title,min_players,max_players\nA,B,1,2\n"}),
]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
async def test_every_write_needs_a_host_token(
    client: Client, services: Services, method: str, path: str, payload: dict[str, Any] | None
) -> None:
    game_id = await quiplash_3(client)
    path = path.replace("{id}", str(game_id))
    member = bearer(await token_for(services, Role.MEMBER))
    cases = [
        ({}, 401, "Access token required"),
        (bearer("not-a-token"), 403, "Invalid or expired token"),
        (member, 403, "This needs a host token for this community"),
    ]
    for headers, status, error in cases:
        assert await call(client, method, path, status, json=payload, headers=headers) == {"error": error}
    assert await call(client, "GET", f"/api/games/{game_id}") == {"id": game_id, **QUIPLASH_3}
    assert len(await call(client, "GET", "/api/games")) == 56


async def test_an_expired_host_token_is_refused(client: Client, services: Services, clock: FakeClock) -> None:
    issued = await services.accounts.create_api_token(
        services.default_community, Role.HOST, "short", expires_at=clock.now + timedelta(minutes=1)
    )
    game_id = await quiplash_3(client)
    await call(client, "PATCH", f"/api/games/{game_id}/toggle", headers=bearer(issued.secret))
    clock.advance(timedelta(minutes=1))
    assert await call(client, "PATCH", f"/api/games/{game_id}/toggle", 403, headers=bearer(issued.secret)) == {
        "error": "Invalid or expired token"
    }


# Communities


async def test_a_toggle_in_one_community_leaves_another_alone(
    client: Client, services: Services, other: Community, host: dict[str, str]
) -> None:
    game_id = await quiplash_3(client)
    other_host = bearer(await token_for(services, community=other))
    toggled = await call(client, "PATCH", f"/c/{other.slug}/api/games/{game_id}/toggle", headers=other_host)
    assert toggled["enabled"] == 0
    assert (await call(client, "GET", f"/api/games/{game_id}"))["enabled"] == 1
    assert (await call(client, "GET", f"/c/{other.slug}/api/games/{game_id}"))["enabled"] == 0
    assert await call(client, "PATCH", f"/c/{other.slug}/api/games/{game_id}/toggle", 403, headers=host) == {
        "error": "This needs a host token for this community"
    }


async def test_a_custom_game_belongs_to_its_community(
    client: Client, services: Services, other: Community, host: dict[str, str]
) -> None:
    added = await call(client, "POST", "/api/games", 201, json=CUSTOM, headers=host)
    assert await call(client, "GET", f"/c/{other.slug}/api/games/{added['id']}", 404) == {"error": "Game not found"}
    assert len(await call(client, "GET", f"/c/{other.slug}/api/games")) == 56
    other_host = bearer(await token_for(services, community=other))
    assert await call(client, "DELETE", f"/c/{other.slug}/api/games/{added['id']}", 404, headers=other_host) == {
        "error": "Game not found"
    }


async def test_an_unknown_community_is_a_404(client: Client) -> None:
    assert await call(client, "GET", "/c/nowhere/api/games", 404) == {"error": "No community called 'nowhere'"}


async def test_a_wrong_method_is_a_405(client: Client) -> None:
    response = await client.get("/api/pick")
    assert (response.status, response.headers["Allow"]) == (405, "POST")
    assert await response.json() == {"error": "Method not allowed"}


# The picker


async def test_the_picker_returns_a_game_that_fits(client: Client) -> None:
    body = await call(client, "POST", "/api/pick", json={"playerCount": 100})
    lie_swatter = await find(client, "Lie Swatter")
    assert body == {"game": lie_swatter, "poolSize": 1, "totalEnabled": 56}


async def test_the_picker_combines_its_filters(client: Client) -> None:
    payload = {"playerCount": 8, "drawing": "only", "length": "long", "familyFriendly": True}
    body = await call(client, "POST", "/api/pick", json=payload)
    assert (body["game"]["title"], body["poolSize"], body["totalEnabled"]) == ("Patently Stupid", 1, 56)


async def test_the_picker_skips_disabled_games(client: Client, host: dict[str, str]) -> None:
    path = f"/api/games/packs/{quote('Jackbox Party Pack 5')}/toggle"
    await call(client, "PATCH", path, json={"enabled": False}, headers=host)
    payload = {"playerCount": 8, "drawing": "only", "length": "long"}
    assert await call(client, "POST", "/api/pick", 404, json=payload) == {
        "error": "No enabled games match the given filters"
    }
    body = await call(client, "POST", "/api/pick", json={"playerCount": 100})
    assert (body["poolSize"], body["totalEnabled"]) == (1, 51)


async def played_session(client: Client, settings: Settings, services: Services, titles: list[str]) -> int:
    query = "INSERT INTO gamenight_sessions (community_id, created_at, is_active) VALUES (?, 'x', 0)"
    session = sql(settings, query, (services.default_community.id,))
    for minute, title in enumerate(titles):
        game_id = (await find(client, title, None if title != "Quiplash 3" else PACK_7))["id"]
        query = "INSERT INTO session_games (session_id, game_id, played_at) VALUES (?, ?, ?)"
        sql(settings, query, (session, game_id, f"2026-11-23T20:{minute:02d}:00+00:00"))
    return session


async def test_with_a_session_the_picker_skips_the_last_two_games_played(
    client: Client, settings: Settings, services: Services
) -> None:
    session = await played_session(client, settings, services, ["Lie Swatter", "Drawful", "Quiplash 3"])
    body = await call(client, "POST", "/api/pick", json={"playerCount": 100, "sessionId": session})
    assert (body["game"]["title"], body["poolSize"], body["totalEnabled"]) == ("Lie Swatter", 1, 56)
    body = await call(client, "POST", "/api/pick", json={"sessionId": session})
    assert (body["poolSize"], body["totalEnabled"]) == (54, 56)
    assert body["game"]["title"] not in ("Drawful", "Quiplash 3")
    session = await played_session(client, settings, services, ["Drawful", "Lie Swatter", "Quiplash 3"])
    assert await call(client, "POST", "/api/pick", 404, json={"playerCount": 100, "sessionId": session}) == {
        "error": "Every enabled game that matches the given filters was played among the last 2 games of this session"
    }


async def test_with_exclude_played_the_picker_skips_every_game_of_the_session(
    client: Client, settings: Settings, services: Services
) -> None:
    session = await played_session(client, settings, services, ["Lie Swatter", "Drawful", "Quiplash 3"])
    payload = {"sessionId": session, "excludePlayed": True}
    body = await call(client, "POST", "/api/pick", json=payload)
    assert (body["poolSize"], body["totalEnabled"]) == (53, 56)
    assert await call(client, "POST", "/api/pick", 404, json={**payload, "playerCount": 100}) == {
        "error": "Every enabled game that matches the given filters was played already in this session"
    }


@pytest.mark.parametrize("session_id", [41, 2**63 - 1])
async def test_the_picker_reports_an_unknown_session(client: Client, session_id: int) -> None:
    payload = {"sessionId": session_id}
    assert await call(client, "POST", "/api/pick", 404, json=payload) == {"error": "Session not found"}


@pytest.mark.parametrize("session_id", [2**63, 10**40])
async def test_the_picker_refuses_a_session_id_beyond_64_bits(client: Client, session_id: int) -> None:
    payload = {"sessionId": session_id}
    assert await call(client, "POST", "/api/pick", 400, json=payload) == {
        "error": "Invalid parameters: sessionId must be a whole number that fits in 64 bits"
    }


async def test_bad_picker_input_is_a_400(client: Client) -> None:
    payload = {"playerCount": 0, "drawing": "lots", "sessionId": "one", "excludePlayed": "yes"}
    assert await call(client, "POST", "/api/pick", 400, json=payload) == {
        "error": "Invalid parameters: playerCount must be at least 1; drawing must be only or exclude; "
        "sessionId must be a whole number; excludePlayed must be true or false"
    }


# Stats


async def test_stats_start_at_zero(client: Client) -> None:
    assert await call(client, "GET", "/api/stats") == {
        "totalGames": 56,
        "enabledGames": 56,
        "totalPacks": 12,
        "totalSessions": 0,
        "totalPlays": 0,
        "totalVotes": 0,
        "topRatedGames": [],
        "mostPlayedGames": [],
    }


async def test_stats_total_plays_and_votes_and_rank_games(
    client: Client, settings: Settings, services: Services, other: Community, host: dict[str, str]
) -> None:
    quiplash = await quiplash_3(client)
    drawful = (await find(client, "Drawful"))["id"]
    query = "INSERT INTO game_stats (community_id, game_id, play_count, upvotes, downvotes) VALUES (?, ?, ?, ?, ?)"
    home = services.default_community.id
    sql(settings, query, (home, quiplash, 3, 10, 2))
    sql(settings, query, (home, drawful, 5, 1, 4))
    sql(settings, query, (other.id, drawful, 50, 40, 0))
    sql(settings, "INSERT INTO gamenight_sessions (community_id, created_at, is_active) VALUES (?, 'x', 0)", (home,))
    await call(client, "PATCH", f"/api/games/{drawful}/toggle", headers=host)
    stats = await call(client, "GET", "/api/stats")
    quiplash_body = {
        "id": quiplash,
        **QUIPLASH_3,
        "play_count": 3,
        "upvotes": 10,
        "downvotes": 2,
        "popularity_score": 8,
    }
    drawful_body = await find(client, "Drawful")
    assert drawful_body["popularity_score"] == -3
    assert stats == {
        "totalGames": 56,
        "enabledGames": 55,
        "totalPacks": 12,
        "totalSessions": 1,
        "totalPlays": 8,
        "totalVotes": 17,
        "topRatedGames": [quiplash_body, drawful_body],
        "mostPlayedGames": [drawful_body, quiplash_body],
    }
