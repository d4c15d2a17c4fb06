"""Accounts on Discord: ``link`` sends a code by DM that signs in over HTTP; ``token`` answers ephemerally."""

import re

from tallybot.bot.cogs.replies import DMS_CLOSED
from tallybot.bot.discord_app import TallyBot
from tallybot.core.models import Community, Provider, Role
from tallybot.core.services import Services
from tests.bot.cogs.conftest import BO, GENERAL
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_discord_payloads import FakeUser
from tests.helpers import Client

LINK_CODE = re.compile(r"Your tallybot link code is ([A-Z2-9]{4}-[A-Z2-9]{4})\. It works once, within 15 minutes: ")


async def test_link_sends_a_code_by_dm_that_starts_a_session_as_the_discord_user(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community, client: Client
) -> None:
    asked = await fake.send_message(GENERAL, BO, "!link")

    dm = await fake.wait_for_dm(BO)
    public = await fake.wait_for_sent(channel_id=GENERAL)
    assert (public.reply_to, public.content) == (asked, "I sent you a one-time link code in a private message.")
    assert dm.content is not None
    found = LINK_CODE.match(dm.content)
    assert found is not None, dm.content
    response = await client.post(
        "/api/start-session-with-confirmation-code",
        json={"email_address": "bo@example.com", "confirmation_code": found.group(1)},
    )
    body = await response.json()
    person = await services.accounts.chat_person(community, Provider.DISCORD, str(BO.id), BO.name, Role.MEMBER)
    assert (response.status, body["success"], body["person"]) == (
        200,
        True,
        {"display_name": "bo", "email_address": "bo@example.com", "person_uuid": person.uuid},
    )


async def test_link_as_a_slash_command_answers_with_the_code_ephemerally(fake: FakeDiscord, bot: TallyBot) -> None:
    asked = await fake.send_command(BO, "link")

    secret = await fake.wait_for_sent(interaction_id=asked)
    public = await fake.wait_for_sent(interaction_id=asked)

    assert (secret.kind, secret.ephemeral) == ("response", True)
    assert LINK_CODE.match(secret.content or "")
    assert (public.kind, public.content, public.ephemeral) == (
        "followup",
        "I sent you a one-time link code in a private message.",
        False,
    )


async def test_token_is_ephemeral_and_authenticates_as_the_discord_user(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community
) -> None:
    asked = await fake.send_command(BO, "token")

    secret = await fake.wait_for_sent(interaction_id=asked)

    found = re.match(r"Your personal API token: (\S+) \. ", secret.content or "")
    assert found is not None, secret.content
    assert secret.ephemeral is True
    principal = await services.accounts.authenticate(found.group(1))
    person = await services.accounts.chat_person(community, Provider.DISCORD, str(BO.id), BO.name, Role.MEMBER)
    assert principal.person is not None
    assert principal.person.id == person.id


async def test_closed_dms_get_a_notice_in_the_channel_and_never_the_code(fake: FakeDiscord, bot: TallyBot) -> None:
    stranger = FakeUser(id=900_000_000_000_000_099, name="dee")
    asked = await fake.send_message(GENERAL, stranger, "!link")

    notice = await fake.wait_for_sent(channel_id=GENERAL)

    assert (notice.reply_to, notice.content) == (asked, DMS_CLOSED)
    assert fake.sent == [notice]
