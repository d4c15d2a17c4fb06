"""The planning-poker API, route by route, through aiohttp's test client on a real SQLite file."""

import asyncio
import hashlib
import re
from dataclasses import replace
from typing import Any

import aiohttp
import aiosqlite
import pytest

from tallybot.core.models import Platform
from tallybot.core.poker.rules import FIBONACCI
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import Client, FakeMonotonic, until

DECK = list(FIBONACCI)


async def call(
    client: Client, method: str, path: str, *, token: str | None = None, status: int = 200, **kwargs: Any
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.request(method, path, headers=headers, **kwargs)
    assert response.status == status, await response.text()
    if status == 204:
        assert await response.read() == b""
        return None
    return await response.json()


class Table:
    """A session with its owner Dale and a second participant, Jesse."""

    def __init__(self, session_id: str, dale: str, jesse: str) -> None:
        self.id = session_id
        self.dale = dale
        self.jesse = jesse


async def open_table(client: Client, *, prompt: str | None = None, **create: Any) -> Table:
    created = await call(client, "POST", "/session/create", json={"participant_id": "Dale", **create}, status=201)
    joined = await call(client, "POST", f"/session/{created['session_id']}/join", json={"participant_id": "Jesse"})
    table = Table(created["session_id"], created["token"], joined["token"])
    if prompt is not None:
        await call(
            client, "POST", f"/session/{table.id}/prompt/create", token=table.dale, json={"prompt": prompt}, status=201
        )
    return table


def prompt_view(session_id: str, version: int, participants: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    """A watch answer for prompt 1, "OIDC", in round 1 of the default deck: hidden unless ``rest`` says otherwise."""
    return {
        "session_id": session_id,
        "prompt_id": "1",
        "prompt": "OIDC",
        "deck": DECK,
        "round": 1,
        "revealed": False,
        "version": version,
        "participants": participants,
        "votes": [],
        "result": None,
        "earlier_rounds": [],
        **rest,
    }


def hidden_view(table: Table, version: int, dale_voted: bool, jesse_voted: bool) -> dict[str, Any]:
    return prompt_view(
        table.id,
        version,
        [{"participant_id": "Dale", "voted": dale_voted}, {"participant_id": "Jesse", "voted": jesse_voted}],
    )


def result(round_: int, votes: list[tuple[str, str]], **stats: Any) -> dict[str, Any]:
    return {"round": round_, "votes": [{"participant_id": n, "vote": v} for n, v in votes], **stats}


async def test_create_returns_a_friendly_session_id_and_a_token(client: Client) -> None:
    body = await call(client, "POST", "/session/create", json={"participant_id": "Dale Hopkins"}, status=201)
    assert body == {"session_id": body["session_id"], "token": body["token"]}
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{3}", body["session_id"])
    assert len(body["token"]) >= 40


async def test_create_without_a_participant_id_or_with_bad_json_is_a_400(client: Client) -> None:
    assert await call(client, "POST", "/session/create", json={}, status=400) == {
        "error": "Invalid parameters: participant_id is required"
    }
    assert await call(client, "POST", "/session/create", data="{", status=400) == {
        "error": "The request body is not valid JSON"
    }
    assert await call(client, "POST", "/session/create", json={"participant_id": "  "}, status=400) == {
        "error": "participant_id needs 1 to 100 characters"
    }


class TestAnAddressThatOpenedManySessions:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, api=replace(settings.api, poker_sessions_per_hour=3))

    async def test_is_told_to_wait_and_may_open_another_an_hour_later(
        self, client: Client, monotonic: FakeMonotonic
    ) -> None:
        for name in ("Ann", "Bob", "Cy"):
            await call(client, "POST", "/session/create", json={"participant_id": name}, status=201)

        refused = await client.post("/session/create", json={"participant_id": "Dee"})
        assert refused.status == 429
        assert refused.headers["Retry-After"] == "3600"
        assert await refused.json() == {"error": "Too many new sessions from this address. Try again in 3600 seconds."}

        monotonic.advance(3600)
        await call(client, "POST", "/session/create", json={"participant_id": "Dee"}, status=201)


async def test_create_with_a_custom_deck_limits_the_votes_to_its_cards(client: Client) -> None:
    table = await open_table(client, prompt="OIDC", deck=["1", "2", "3"])
    body = await call(
        client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={"vote": "5"}, status=400
    )
    assert body == {
        "error": "'5' is not a card in this session's deck. Valid cards: 1, 2, 3",
        "valid_cards": ["1", "2", "3"],
    }


async def test_create_with_the_tshirt_deck_accepts_sizes(client: Client) -> None:
    table = await open_table(client, prompt="OIDC", deck="tshirt")
    vote = await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={"vote": "xl"})
    assert vote == {"prompt_id": "1", "round": 1, "vote": "XL", "revealed": False}


async def test_create_with_an_unknown_or_malformed_deck_is_a_400(client: Client) -> None:
    unknown = {"participant_id": "Dale", "deck": "poker"}
    assert await call(client, "POST", "/session/create", json=unknown, status=400) == {
        "error": "Unknown deck 'poker': choose fibonacci, tshirt or a list of cards"
    }
    malformed = {"participant_id": "Dale", "deck": [1, 2]}
    assert await call(client, "POST", "/session/create", json=malformed, status=400) == {
        "error": "Invalid parameters: deck must be fibonacci, tshirt or a list of cards"
    }


async def test_join_returns_a_token_for_the_session(client: Client) -> None:
    created = await call(client, "POST", "/session/create", json={"participant_id": "Dale"}, status=201)
    body = await call(client, "POST", f"/session/{created['session_id']}/join", json={"participant_id": "Jesse Redl"})
    assert body == {"token": body["token"]}
    assert body["token"] != created["token"]


async def test_join_an_unknown_or_closed_session_is_a_404(client: Client) -> None:
    assert await call(client, "POST", "/session/calm-otter-123/join", json={"participant_id": "J"}, status=404) == {
        "error": "No open session with id calm-otter-123"
    }
    table = await open_table(client)
    await call(client, "POST", f"/session/{table.id}/close", token=table.dale, status=204)
    await call(client, "POST", f"/session/{table.id}/join", json={"participant_id": "Kim"}, status=404)


async def test_join_with_a_participant_id_already_in_the_session_is_a_409(client: Client) -> None:
    table = await open_table(client)
    body = await call(client, "POST", f"/session/{table.id}/join", json={"participant_id": "jesse"}, status=409)
    assert body == {"error": f"jesse is already in session {table.id}"}


async def test_join_without_a_participant_id_is_a_400(client: Client) -> None:
    table = await open_table(client)
    assert await call(client, "POST", f"/session/{table.id}/join", json={"participant_id": 7}, status=400) == {
        "error": "Invalid parameters: participant_id must be a string"
    }


async def test_wait_without_last_prompt_id_returns_the_current_prompt(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    expected = {"prompt_id": "1", "prompt": "OIDC"}
    assert await call(client, "GET", f"/session/{table.id}/prompt/wait") == expected
    assert await call(client, "POST", f"/session/{table.id}/prompt/wait", json={}) == expected


async def test_wait_returns_only_a_prompt_newer_than_last_prompt_id(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    await call(client, "GET", f"/session/{table.id}/prompt/wait?last_prompt_id=1&timeout=0", status=204)
    waiter = asyncio.create_task(call(client, "POST", f"/session/{table.id}/prompt/wait", json={"last_prompt_id": "1"}))
    await call(
        client, "POST", f"/session/{table.id}/prompt/create", token=table.dale, json={"prompt": "SSO"}, status=201
    )
    assert await waiter == {"prompt_id": "2", "prompt": "SSO"}


async def test_wait_gives_204_when_the_timeout_passes(client: Client, services: Services) -> None:
    table = await open_table(client)
    await call(client, "GET", f"/session/{table.id}/prompt/wait?timeout=0.05", status=204)
    await call(client, "POST", f"/session/{table.id}/prompt/wait", json={"timeout": 0}, status=204)
    assert services.poker.waiting == 0


async def test_wait_with_a_timeout_outside_zero_to_sixty_seconds_is_a_400(client: Client) -> None:
    table = await open_table(client)
    assert await call(client, "GET", f"/session/{table.id}/prompt/wait?timeout=61", status=400) == {
        "error": "timeout must be between 0 and 60 seconds"
    }
    assert await call(client, "GET", f"/session/{table.id}/prompt/wait?timeout=soon", status=400) == {
        "error": "Invalid parameters: timeout must be a number"
    }


async def test_wait_on_an_unknown_or_closed_session_is_a_404(client: Client) -> None:
    assert await call(client, "GET", "/session/calm-otter-123/prompt/wait", status=404) == {
        "error": "No open session with id calm-otter-123"
    }
    table = await open_table(client, prompt="OIDC")
    await call(client, "POST", f"/session/{table.id}/close", token=table.dale, status=204)
    await call(client, "GET", f"/session/{table.id}/prompt/wait", status=404)


async def test_two_hundred_concurrent_waiters_are_all_released_by_one_new_prompt(
    client: Client, services: Services
) -> None:
    table = await open_table(client)
    url = client.make_url(f"/session/{table.id}/prompt/wait?timeout=20")

    async def wait(http: aiohttp.ClientSession) -> tuple[int, Any]:
        async with http.get(url) as response:
            return response.status, await response.json()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        waiters = [asyncio.create_task(wait(http)) for _ in range(200)]
        await until(lambda: services.poker.waiting == 200)
        await call(
            client, "POST", f"/session/{table.id}/prompt/create", token=table.dale, json={"prompt": "OIDC"}, status=201
        )
        answers = await asyncio.gather(*waiters)
    assert answers == [(200, {"prompt_id": "1", "prompt": "OIDC"})] * 200
    assert services.poker.waiting == 0


async def test_closing_the_session_releases_blocked_waiters_with_404(client: Client, services: Services) -> None:
    table = await open_table(client, prompt="OIDC")
    prompt_waiter = asyncio.create_task(
        call(client, "GET", f"/session/{table.id}/prompt/wait?last_prompt_id=1", status=404)
    )
    watcher = asyncio.create_task(
        call(client, "GET", f"/session/{table.id}/prompt/1/watch?since_version=99", token=table.jesse, status=404)
    )
    await until(lambda: services.poker.waiting == 2)
    await call(client, "POST", f"/session/{table.id}/close", token=table.dale, status=204)
    gone = {"error": f"No open session with id {table.id}"}
    assert list(await asyncio.wait_for(asyncio.gather(prompt_waiter, watcher), 2)) == [gone, gone]


async def test_prompt_create_returns_201_with_the_prompt_id(client: Client) -> None:
    table = await open_table(client)
    path = f"/session/{table.id}/prompt/create"
    assert await call(client, "POST", path, token=table.dale, json={"prompt": "OIDC"}, status=201) == {"prompt_id": "1"}
    assert await call(client, "POST", path, token=table.dale, json={"prompt": "SSO"}, status=201) == {"prompt_id": "2"}


async def test_prompt_create_needs_the_owners_token(client: Client) -> None:
    table = await open_table(client)
    other = await open_table(client)
    path = f"/session/{table.id}/prompt/create"
    payload = {"prompt": "OIDC"}
    assert await call(client, "POST", path, json=payload, status=401) == {
        "error": "This needs your participant token (Authorization: Bearer <token>)"
    }
    assert await call(client, "POST", path, token=table.jesse, json=payload, status=401) == {
        "error": f"Only the owner of session {table.id} can do that"
    }
    assert await call(client, "POST", path, token=other.dale, json=payload, status=401) == {
        "error": f"That token is not valid for session {table.id}"
    }


async def test_prompt_create_errors_for_unknown_sessions_and_missing_prompts(client: Client) -> None:
    table = await open_table(client)
    await call(
        client, "POST", "/session/calm-otter-123/prompt/create", token=table.dale, json={"prompt": "x"}, status=404
    )
    assert await call(client, "POST", f"/session/{table.id}/prompt/create", token=table.dale, json={}, status=400) == {
        "error": "Invalid parameters: prompt is required"
    }


async def test_vote_returns_the_card_and_whether_it_completed_the_round(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/vote"
    first = await call(client, "POST", path, token=table.dale, json={"prompt_id": "1", "vote": "☕"})
    last = await call(client, "POST", path, token=table.jesse, json={"vote": 8})
    assert first == {"prompt_id": "1", "round": 1, "vote": "☕️", "revealed": False}
    assert last == {"prompt_id": "1", "round": 1, "vote": "8", "revealed": True}


async def test_voting_again_replaces_the_earlier_vote_until_the_reveal(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/vote"
    await call(client, "POST", path, token=table.dale, json={"vote": "3"})
    await call(client, "POST", path, token=table.dale, json={"vote": "5"})
    await call(client, "POST", path, token=table.jesse, json={"vote": "5"})
    view = await call(client, "GET", f"/session/{table.id}/prompt/1/watch", token=table.dale)
    assert view["result"] == result(
        1, [("Dale", "5"), ("Jesse", "5")], min=5, max=5, median=5, mean=5, consensus=True, outliers=[]
    )


async def test_vote_outside_the_deck_is_a_400_listing_the_valid_cards(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    body = await call(
        client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={"vote": "4"}, status=400
    )
    assert body == {
        "error": "'4' is not a card in this session's deck. Valid cards: 0, 1, 2, 3, 5, 8, 13, 20, 40, 100, ?, ☕️",
        "valid_cards": DECK,
    }


async def test_vote_on_a_revealed_prompt_is_a_409(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    await call(client, "POST", f"/session/{table.id}/prompt/1/reveal", token=table.dale)
    body = await call(
        client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.jesse, json={"vote": "5"}, status=409
    )
    assert body == {"error": "Prompt 1 has already been revealed; votes are closed"}


async def test_vote_with_a_prompt_id_in_the_body_that_differs_from_the_path_is_a_400(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/vote"
    assert await call(client, "POST", path, token=table.dale, json={"prompt_id": "2", "vote": "5"}, status=400) == {
        "error": "prompt_id in the body does not match the prompt in the path"
    }
    await call(client, "POST", path, token=table.dale, json={"prompt_id": 1, "vote": "5"})


async def test_vote_errors_for_unknown_prompts_missing_tokens_and_missing_cards(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    assert await call(
        client, "POST", f"/session/{table.id}/prompt/9/vote", token=table.dale, json={"vote": "5"}, status=404
    ) == {"error": f"No prompt 9 in session {table.id}"}
    await call(client, "POST", f"/session/{table.id}/prompt/1/vote", json={"vote": "5"}, status=401)
    await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token="forged", json={"vote": "5"}, status=401)
    assert await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={}, status=400) == {
        "error": "Invalid parameters: vote is required"
    }
    await call(
        client, "POST", "/session/calm-otter-123/prompt/1/vote", token=table.dale, json={"vote": "5"}, status=404
    )


async def test_a_vote_stays_hidden_from_watch_until_the_reveal(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    watch = f"/session/{table.id}/prompt/1/watch"
    assert await call(client, "GET", watch, token=table.jesse) == hidden_view(table, 3, False, False)
    await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={"vote": "13"})
    assert await call(client, "GET", watch, token=table.jesse) == hidden_view(table, 4, True, False)
    assert await call(client, "POST", watch, token=table.dale) == hidden_view(table, 4, True, False)
    await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.jesse, json={"vote": "2"})
    revealed = await call(client, "GET", watch, token=table.jesse)
    assert revealed == {
        **hidden_view(table, 6, True, True),
        "revealed": True,
        "participants": [
            {"participant_id": "Dale", "voted": True, "vote": "13"},
            {"participant_id": "Jesse", "voted": True, "vote": "2"},
        ],
        "votes": [{"participant_id": "Dale", "vote": "13"}, {"participant_id": "Jesse", "vote": "2"}],
        "result": result(
            1,
            [("Dale", "13"), ("Jesse", "2")],
            min=2,
            max=13,
            median=7.5,
            mean=7.5,
            consensus=False,
            outliers=["Dale", "Jesse"],
        ),
    }


async def test_watch_with_since_version_returns_when_anything_changes(client: Client, services: Services) -> None:
    table = await open_table(client, prompt="OIDC")
    watcher = asyncio.create_task(
        call(client, "GET", f"/session/{table.id}/prompt/1/watch?since_version=3", token=table.dale)
    )
    await until(lambda: services.poker.waiting == 1)
    await call(client, "POST", f"/session/{table.id}/join", json={"participant_id": "Kim"})
    view = await watcher
    assert (view["version"], [p["participant_id"] for p in view["participants"]]) == (4, ["Dale", "Jesse", "Kim"])
    assert await call(client, "GET", f"/session/{table.id}/prompt/1/watch?since_version=0", token=table.dale) == view


async def test_watch_with_since_version_gives_204_when_the_timeout_passes(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/watch?since_version=3&timeout=0.05"
    await call(client, "GET", path, token=table.dale, status=204)
    await call(client, "POST", path, token=table.dale, status=204)


async def test_watch_errors_for_missing_tokens_unknown_prompts_and_bad_versions(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    await call(client, "GET", f"/session/{table.id}/prompt/1/watch", status=401)
    await call(client, "GET", f"/session/{table.id}/prompt/2/watch", token=table.dale, status=404)
    await call(client, "GET", f"/session/{table.id}/prompt/one/watch", token=table.dale, status=404)
    assert await call(
        client, "GET", f"/session/{table.id}/prompt/1/watch?since_version=-1", token=table.dale, status=400
    ) == {"error": "Invalid parameters: since_version must be at least 0"}


async def test_the_owner_can_reveal_before_everyone_has_voted(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    await call(client, "POST", f"/session/{table.id}/prompt/1/vote", token=table.dale, json={"vote": "?"})
    view = await call(client, "POST", f"/session/{table.id}/prompt/1/reveal", token=table.dale)
    assert view == {
        **hidden_view(table, 5, True, False),
        "revealed": True,
        "participants": [
            {"participant_id": "Dale", "voted": True, "vote": "?"},
            {"participant_id": "Jesse", "voted": False, "vote": None},
        ],
        "votes": [{"participant_id": "Dale", "vote": "?"}],
        "result": result(1, [("Dale", "?")], min=None, max=None, median=None, mean=None, consensus=False, outliers=[]),
    }


async def test_reveal_is_for_the_owner_only_and_only_once(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/reveal"
    await call(client, "POST", path, token=table.jesse, status=401)
    await call(client, "POST", path, status=401)
    await call(client, "POST", f"/session/{table.id}/prompt/2/reveal", token=table.dale, status=404)
    await call(client, "POST", path, token=table.dale)
    assert await call(client, "POST", path, token=table.dale, status=409) == {
        "error": "Prompt 1 has already been revealed"
    }


async def test_revote_clears_the_votes_and_keeps_the_earlier_rounds_result(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    vote = f"/session/{table.id}/prompt/1/vote"
    await call(client, "POST", vote, token=table.dale, json={"vote": "3"})
    await call(client, "POST", vote, token=table.jesse, json={"vote": "5"})
    view = await call(client, "POST", f"/session/{table.id}/prompt/1/revote", token=table.dale)
    first = result(
        1, [("Dale", "3"), ("Jesse", "5")], min=3, max=5, median=4, mean=4, consensus=False, outliers=["Dale", "Jesse"]
    )
    assert view == {**hidden_view(table, 7, False, False), "round": 2, "earlier_rounds": [first]}
    await call(client, "POST", vote, token=table.dale, json={"vote": "5"})
    assert (await call(client, "GET", f"/session/{table.id}/prompt/1/watch", token=table.dale))["revealed"] is False


async def test_revote_is_for_the_owner_only_and_after_a_reveal(client: Client) -> None:
    table = await open_table(client, prompt="OIDC")
    path = f"/session/{table.id}/prompt/1/revote"
    assert await call(client, "POST", path, token=table.dale, status=409) == {
        "error": "Prompt 1 is still being voted on; reveal it before a revote"
    }
    await call(client, "POST", f"/session/{table.id}/prompt/1/reveal", token=table.dale)
    await call(client, "POST", path, token=table.jesse, status=401)
    await call(client, "POST", f"/session/{table.id}/prompt/3/revote", token=table.dale, status=404)


async def test_close_is_204_for_the_owner_401_for_others_and_404_once_closed(client: Client) -> None:
    table = await open_table(client)
    path = f"/session/{table.id}/close"
    assert await call(client, "POST", path, token=table.jesse, status=401) == {
        "error": f"Only the owner of session {table.id} can do that"
    }
    await call(client, "POST", path, status=401)
    await call(client, "POST", path, token=table.dale, json={}, status=204)
    assert await call(client, "POST", path, token=table.dale, status=404) == {
        "error": f"No open session with id {table.id}"
    }
    await call(client, "POST", "/session/calm-otter-123/close", token=table.dale, status=404)


async def test_history_lists_every_prompt_with_its_final_result_as_json_and_csv(client: Client) -> None:
    table = await open_table(client, prompt="=cmd|' /C calc'!A0")
    vote = f"/session/{table.id}/prompt/1/vote"
    await call(client, "POST", vote, token=table.dale, json={"vote": "1"})
    await call(client, "POST", vote, token=table.jesse, json={"vote": "2"})
    await call(client, "POST", f"/session/{table.id}/prompt/1/revote", token=table.dale)
    await call(client, "POST", vote, token=table.dale, json={"vote": "2"})
    await call(client, "POST", vote, token=table.jesse, json={"vote": "2"})
    await call(
        client, "POST", f"/session/{table.id}/prompt/create", token=table.dale, json={"prompt": "SSO"}, status=201
    )
    await call(client, "POST", f"/session/{table.id}/close", token=table.dale, status=204)
    body = await call(client, "GET", f"/session/{table.id}/history", token=table.jesse)
    second = result(2, [("Dale", "2"), ("Jesse", "2")], min=2, max=2, median=2, mean=2, consensus=True, outliers=[])
    first = result(
        1,
        [("Dale", "1"), ("Jesse", "2")],
        min=1,
        max=2,
        median=1.5,
        mean=1.5,
        consensus=False,
        outliers=["Dale", "Jesse"],
    )
    assert body == {
        "session_id": table.id,
        "deck": DECK,
        "closed": True,
        "prompts": [
            {"prompt_id": "1", "prompt": "=cmd|' /C calc'!A0", "result": second, "rounds": [first, second]},
            {"prompt_id": "2", "prompt": "SSO", "result": None, "rounds": []},
        ],
    }
    response = await client.get(
        f"/session/{table.id}/history?format=csv", headers={"Authorization": f"Bearer {table.dale}"}
    )
    assert response.status == 200
    assert response.content_type == "text/csv"
    assert await response.text() == (
        "prompt_id,prompt,rounds,votes,min,max,median,mean,consensus,outliers\r\n"
        "1,'=cmd|' /C calc'!A0,2,Dale: 2; Jesse: 2,2,2,2,2,true,\r\n"
        "2,SSO,0,,,,,,,\r\n"
    )


async def test_history_errors_for_missing_tokens_unknown_sessions_and_formats(client: Client) -> None:
    table = await open_table(client)
    await call(client, "GET", f"/session/{table.id}/history", status=401)
    await call(client, "GET", "/session/calm-otter-123/history", token=table.dale, status=404)
    assert await call(client, "GET", f"/session/{table.id}/history?format=xml", token=table.dale, status=400) == {
        "error": "format must be json or csv"
    }


async def test_sessions_belong_to_their_community(client: Client, services: Services) -> None:
    await services.communities.ensure(Platform.DISCORD, "42", "Guild")
    table = await open_table(client)
    slug = services.default_community.slug
    await call(client, "POST", f"/c/{slug}/session/{table.id}/join", json={"participant_id": "Kim"})
    await call(client, "POST", f"/c/discord-42/session/{table.id}/join", json={"participant_id": "Lee"}, status=404)
    created = await call(client, "POST", "/c/discord-42/session/create", json={"participant_id": "Lee"}, status=201)
    await call(client, "POST", f"/session/{created['session_id']}/join", json={"participant_id": "Kim"}, status=404)


async def test_participant_tokens_are_stored_only_as_hashes(client: Client, settings: Settings) -> None:
    table = await open_table(client)
    async with aiosqlite.connect(settings.storage.path) as conn:
        rows = await conn.execute_fetchall("SELECT name, token_hash FROM poker_participants ORDER BY id")
    assert [tuple(row) for row in rows] == [
        ("Dale", hashlib.sha256(table.dale.encode()).hexdigest()),
        ("Jesse", hashlib.sha256(table.jesse.encode()).hexdigest()),
    ]


async def test_a_wrong_method_is_a_405(client: Client) -> None:
    assert await call(client, "GET", "/session/create", status=405) == {"error": "Method not allowed"}
