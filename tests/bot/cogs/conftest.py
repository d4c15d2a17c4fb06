"""The real discord.py bot of ``tallybot/bot/discord_app.py`` against the fake Discord, on real services."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.discord_app import TallyBot, build_discord_bot
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_discord_payloads import FakeGuild, FakeUser
from tests.helpers import FakeMonotonic

ANA = FakeUser(id=900_000_000_000_000_011, name="ana", host=True)
BO = FakeUser(id=900_000_000_000_000_012, name="bo")
CY = FakeUser(id=900_000_000_000_000_013, name="cy")
GUILD = FakeGuild(members=[ANA, BO, CY])
GENERAL, ANNOUNCEMENTS = GUILD.channels


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, discord=replace(settings.discord, token="fake-discord-token"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(replace(GUILD, members=list(GUILD.members))) as fake:
        with fake.patch():
            yield fake


@pytest.fixture
def chat(services: Services, settings: Settings, monotonic: FakeMonotonic) -> ChatCommands:
    return ChatCommands(services, all_commands(), settings.chat, monotonic)


@pytest.fixture
async def bot(fake: FakeDiscord, services: Services, chat: ChatCommands, settings: Settings) -> AsyncIterator[TallyBot]:
    before = asyncio.all_tasks()
    bot = build_discord_bot(services, chat, guild_ready_timeout=0.05)
    async with fake.running(bot):
        yield bot
    assert bot.is_closed()
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before - {asyncio.current_task()} == set()


@pytest.fixture
async def community(bot: TallyBot, services: Services) -> Community:
    return await services.communities.ensure(Platform.DISCORD, str(GUILD.id), GUILD.name)
