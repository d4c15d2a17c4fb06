"""Account commands in Twitch chat: the secret goes by whisper, the channel only hears that it went."""

import re

from tallybot.core.models import Person, Provider, Role
from tests.bot.components.conftest import ALICE, BOT, TwitchChat
from tests.fakes.fake_twitch import SentWhisper
from tests.helpers import Client

EMAIL = "alice@example.com"


async def _alice(twitch: TwitchChat) -> Person:
    """The person behind ALICE's Twitch identity (already known, so this creates nothing)."""
    return await twitch.services.accounts.chat_person(
        await twitch.community(), Provider.TWITCH, ALICE.id, ALICE.display_name, Role.MEMBER
    )


def _code_in(whisper: SentWhisper) -> str:
    match = re.search(r"link code is ([A-Z0-9]{4}-[A-Z0-9]{4})", whisper.message)
    assert match is not None, whisper.message
    return match.group(1)


async def test_link_whispers_a_code_that_starts_a_session_for_the_chat_identity(
    twitch: TwitchChat, client: Client
) -> None:
    public = await twitch.ask(ALICE, "!link")
    whisper = await twitch.whisper()
    code = _code_in(whisper)

    response = await client.post(
        "/api/start-session-with-confirmation-code", json={"email_address": EMAIL, "confirmation_code": code}
    )
    body = await response.json()

    assert public == "I sent you a one-time link code in a private message."
    assert (whisper.from_user_id, whisper.to_user_id) == (BOT.id, ALICE.id)
    assert code not in " ".join(twitch.lines())
    assert response.status == 200, body
    assert body["person"]["email_address"] == EMAIL
    assert (await _alice(twitch)).uuid == body["person"]["person_uuid"]


async def test_a_link_code_works_only_once(twitch: TwitchChat, client: Client) -> None:
    await twitch.ask(ALICE, "!link")
    code = _code_in(await twitch.whisper())
    form = {"email_address": EMAIL, "confirmation_code": code}

    first = await (await client.post("/api/start-session-with-confirmation-code", json=form)).json()
    second = await (await client.post("/api/start-session-with-confirmation-code", json=form)).json()

    assert first["success"] is True
    del second["reply_timestamp"]
    assert second == {
        "success": False,
        "message": f"Sorry, {code} is not a valid link code. Codes work once, within 15 minutes: "
        "ask the bot in chat for a new one.",
    }


async def test_token_whispers_a_personal_api_token_that_the_api_accepts(twitch: TwitchChat, client: Client) -> None:
    public = await twitch.ask(ALICE, "!token")
    whisper = await twitch.whisper()
    match = re.search(r"Your personal API token: (\S+) \.", whisper.message)
    assert match is not None, whisper.message
    token = match.group(1)

    response = await client.get("/api/verify-session-uuid", params={"session_uuid": token})
    body = await response.json()

    assert public == "I sent you a personal API token in a private message."
    assert whisper.to_user_id == ALICE.id
    assert token not in " ".join(twitch.lines())
    assert response.status == 200, body
    assert body["person"]["person_uuid"] == (await _alice(twitch)).uuid
