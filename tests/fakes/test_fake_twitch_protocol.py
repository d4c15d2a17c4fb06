"""The fake Twitch speaks Twitch's protocol: EventSub messages, mention fragments, refusals and loud gaps."""

from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import ANY

import aiohttp
import pytest

from tests.fakes.fake_twitch import FakeTwitch, FakeUser, RecordedRequest, running_fake_twitch

BOT = FakeUser("900", "tallybot", "TallyBot")
STREAMER = FakeUser("100", "streamer", "Streamer")
ALICE = FakeUser("101", "alice", "Alice")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwitch]:
    async with running_fake_twitch() as server:
        for user in (BOT, STREAMER, ALICE):
            server.add_user(user.id, user.login, user.display_name)
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _headers(fake: FakeTwitch, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Client-Id": fake.client_id}


async def test_chat_reaches_a_subscribed_websocket_with_badges_and_mention_fragments(
    fake: FakeTwitch, http: aiohttp.ClientSession
) -> None:
    token, _ = fake.issue_user_token(BOT.id)
    async with http.ws_connect(f"{fake.ws_url}?keepalive_timeout_seconds=10") as socket:
        welcome = await socket.receive_json()
        session_id = welcome["payload"]["session"]["id"]
        condition = {"broadcaster_user_id": STREAMER.id, "user_id": BOT.id}
        body = {
            "type": "channel.chat.message",
            "version": "1",
            "condition": condition,
            "transport": {"method": "websocket", "session_id": session_id},
        }
        async with http.post(f"{fake.url}/helix/eventsub/subscriptions", json=body, headers=_headers(fake, token)) as r:
            assert r.status == 202
            subscription = (await r.json())["data"][0]

        sent_id = await fake.send_chat(STREAMER, ALICE, "hi @TallyBot and @nobody", badges=["moderator"])
        notification = await socket.receive_json()

    assert welcome == {
        "metadata": {"message_id": ANY, "message_type": "session_welcome", "message_timestamp": ANY},
        "payload": {
            "session": {
                "id": session_id,
                "status": "connected",
                "connected_at": ANY,
                "keepalive_timeout_seconds": 10,
                "reconnect_url": None,
                "recovery_url": None,
            }
        },
    }
    assert subscription == {
        "id": ANY,
        "status": "enabled",
        "type": "channel.chat.message",
        "version": "1",
        "condition": condition,
        "created_at": ANY,
        "transport": {"method": "websocket", "session_id": session_id, "connected_at": ANY},
        "cost": 0,
    }
    mention = {"user_id": BOT.id, "user_login": "tallybot", "user_name": "TallyBot"}
    assert notification == {
        "metadata": {
            "message_id": ANY,
            "message_type": "notification",
            "message_timestamp": ANY,
            "subscription_type": "channel.chat.message",
            "subscription_version": "1",
        },
        "payload": {
            "subscription": subscription,
            "event": {
                "broadcaster_user_id": STREAMER.id,
                "broadcaster_user_login": "streamer",
                "broadcaster_user_name": "Streamer",
                "chatter_user_id": ALICE.id,
                "chatter_user_login": "alice",
                "chatter_user_name": "Alice",
                "message_id": sent_id,
                "message": {
                    "text": "hi @TallyBot and @nobody",
                    "fragments": [
                        {"type": "text", "text": "hi ", "cheermote": None, "emote": None, "mention": None},
                        {"type": "mention", "text": "@TallyBot", "cheermote": None, "emote": None, "mention": mention},
                        {"type": "text", "text": " and @nobody", "cheermote": None, "emote": None, "mention": None},
                    ],
                },
                "color": "#1E90FF",
                "badges": [{"set_id": "moderator", "id": "1", "info": ""}],
                "message_type": "text",
                "cheer": None,
                "reply": None,
                "channel_points_custom_reward_id": None,
                "channel_points_animation_id": None,
                "source_broadcaster_user_id": None,
                "source_broadcaster_user_login": None,
                "source_broadcaster_user_name": None,
                "source_message_id": None,
                "source_badges": None,
                "is_source_only": None,
            },
        },
    }


async def test_websocket_sends_keepalives_and_drops_a_client_that_talks(
    fake: FakeTwitch, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(f"{fake.ws_url}?keepalive_timeout_seconds=10") as socket:
        await socket.receive_json()
        await fake.send_keepalive()
        keepalive = await socket.receive_json()
        await socket.send_str("hello?")
        closing = await socket.receive()

    assert keepalive == {
        "metadata": {"message_id": ANY, "message_type": "session_keepalive", "message_timestamp": ANY},
        "payload": {},
    }
    assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4001)


_Request = tuple[str, str, dict[str, str], dict[str, Any] | None, dict[str, str]]


def _refused_request(fake: FakeTwitch, case: str) -> _Request:
    """Method, path, query, JSON body and headers of a request Twitch would refuse."""
    bot_token, _ = fake.issue_user_token(BOT.id)
    alice_token, _ = fake.issue_user_token(ALICE.id, scopes=["user:read:chat"])
    app = {"client_id": fake.client_id, "client_secret": fake.client_secret}
    match case:
        case "no token":
            return "GET", "/helix/users", {}, None, {"Client-Id": fake.client_id}
        case "other client":
            return "GET", "/helix/users", {}, None, {**_headers(fake, bot_token), "Client-Id": "someone-else"}
        case "whisper as someone else":
            query = {"from_user_id": BOT.id, "to_user_id": ALICE.id}
            return "POST", "/helix/whispers", query, {"message": "hi"}, _headers(fake, alice_token)
        case "chat without user:write:chat":
            body = {"broadcaster_id": STREAMER.id, "sender_id": ALICE.id, "message": "hi"}
            return "POST", "/helix/chat/messages", {}, body, _headers(fake, alice_token)
        case "wrong secret":
            return (
                "POST",
                "/oauth2/token",
                {**app, "client_secret": "guess", "grant_type": "client_credentials"},
                None,
                {},
            )
        case "unknown refresh token":
            return "POST", "/oauth2/token", {**app, "grant_type": "refresh_token", "refresh_token": "x"}, None, {}
        case _:
            fake.expire_token(bot_token)
            return "GET", "/oauth2/validate", {}, None, {"Authorization": f"OAuth {bot_token}"}


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("no token", 401, "OAuth token is missing"),
        ("other client", 401, "Client ID and OAuth token do not match"),
        ("whisper as someone else", 401, "The ID in from_user_id must match the user ID in the access token"),
        (
            "chat without user:write:chat",
            401,
            "The ID in sender_id must match the user ID in the access token with user:write:chat",
        ),
        ("wrong secret", 403, "invalid client secret"),
        ("unknown refresh token", 400, "Invalid refresh token"),
        ("expired token", 401, "invalid access token"),
    ],
)
async def test_requests_twitch_would_refuse_get_twitchs_error_body(
    fake: FakeTwitch, http: aiohttp.ClientSession, case: str, status: int, message: str
) -> None:
    method, path, query, body, headers = _refused_request(fake, case)
    async with http.request(method, fake.url + path, params=query, json=body, headers=headers) as response:
        answer = (response.status, await response.json())

    phrase = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}[status]
    assert answer == (status, {"error": phrase, "status": status, "message": message})


async def test_unknown_route_answers_404_and_is_recorded_as_unknown(
    fake: FakeTwitch, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{fake.url}/helix/streams", params={"user_id": "100"}) as response:
        answer = (response.status, await response.json())

    assert answer == (
        404,
        {"error": "Not Found", "status": 404, "message": "fake Twitch does not implement GET /helix/streams"},
    )
    assert fake.unknown_requests == [RecordedRequest("GET", "/helix/streams", {"user_id": ["100"]}, None, None)]


async def test_chat_in_a_channel_nobody_subscribed_to_fails_loudly(fake: FakeTwitch) -> None:
    with pytest.raises(AssertionError, match=r"no websocket is subscribed to channel\.chat\.message for streamer"):
        await fake.send_chat(STREAMER, ALICE, "anyone here?")


async def test_waiting_for_a_reply_that_never_comes_fails_within_the_bound(fake: FakeTwitch) -> None:
    with pytest.raises(AssertionError, match=r"waited 0\.05s for a chat message from the bot; chat so far: \[\]"):
        await fake.next_chat_message(within=0.05)
