"""The account chat commands: link (a one-time code, privately) and token (a personal API token, privately)."""

import re

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tests.chat_helpers import ChatDriver, chat_layer
from tests.helpers import FakeMonotonic


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    return chat_layer(services, monotonic)


async def test_link_sends_a_code_privately_that_links_the_chat_user(services: Services, chat: ChatCommands) -> None:
    community = await services.communities.ensure(Platform.TWITCH, "1234", "streamer")
    driver = ChatDriver(services, chat, platform=Platform.TWITCH, community=community)
    reply = await driver.say("!link", user="Ryan")
    assert reply is not None
    assert reply.public == "I sent you a one-time link code in a private message."
    assert reply.private is not None
    code = re.search(r"link code is (\S{4}-\S{4})\.", reply.private)
    assert code is not None
    assert reply.private == (
        f"Your tallybot link code is {code.group(1)}. It works once, within 15 minutes: "
        f'POST {{"email_address": "<your address>", "confirmation_code": "{code.group(1)}"}} to '
        "/api/start-session-with-confirmation-code. If that address already has an account, also send that "
        "account's session as 'Authorization: Bearer <session_uuid>'."
    )
    assert len(reply.private) <= 500
    issued = await services.chat.start_session_with_code("ryan@example.com", code.group(1), None, "test")
    assert issued.person.display_name == "Ryan"


async def test_token_sends_a_personal_api_token_privately(services: Services, chat: ChatCommands) -> None:
    driver = ChatDriver(services, chat)
    reply = await driver.say("!token", user="hana", role=Role.HOST)
    assert reply is not None
    assert reply.public == "I sent you a personal API token in a private message."
    assert reply.private is not None
    token = re.search(r"token: (\S+) \.", reply.private)
    assert token is not None
    asker = await services.accounts.authenticate(token.group(1))
    assert asker.person is not None
    assert asker.person.display_name == "hana"
    assert asker.is_host_of(services.default_community.id)
    # The fake clock says 2026-11-23; sessions last 30 days.
    assert reply.private == (
        f"Your personal API token: {token.group(1)} . Send it as 'Authorization: Bearer <token>'. "
        "It acts as you, with your role here, until 2026-12-23. Keep it secret."
    )
