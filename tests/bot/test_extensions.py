"""Every chat command has one name everywhere: in the registry, as a Discord slash command, as a Twitch command."""

import importlib
import pkgutil
from collections import Counter
from collections.abc import Iterator

import pytest
from discord import app_commands
from twitchio.ext import commands as twitch_commands

import tallybot.bot.components
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.discord_app import EXTENSIONS, build_discord_bot
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import FakeMonotonic


def registry_names() -> list[str]:
    """Every name and alias in the registry, the command layer's own ``help`` included."""
    return [name for command in all_commands() for name in (command.name, *command.aliases)] + ["help", "commands"]


def twitch_component_classes() -> Iterator[type[twitch_commands.Component]]:
    for module_info in pkgutil.iter_modules(tallybot.bot.components.__path__, "tallybot.bot.components."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, twitch_commands.Component)
                and value.__module__ == module.__name__
            ):
                yield value


def test_chat_command_names_and_aliases_are_unique() -> None:
    assert [name for name, count in Counter(registry_names()).items() if count > 1] == []


@pytest.fixture
def chat(services: Services, settings: Settings, monotonic: FakeMonotonic) -> ChatCommands:
    return ChatCommands(services, all_commands(), settings.chat, monotonic)


async def test_every_chat_command_is_exactly_one_discord_slash_command(
    services: Services, chat: ChatCommands, settings: Settings
) -> None:
    bot = build_discord_bot(services, chat)
    await bot.setup_hook()
    try:
        assert sorted(bot.extensions) == sorted(EXTENSIONS)
        slash = [c.qualified_name for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]
    finally:
        await bot.close()

    assert [name for name, count in Counter(slash).items() if count > 1] == []
    assert sorted(slash) == sorted(command.name for command in chat.commands)


def test_twitch_components_name_no_command_outside_the_registry() -> None:
    classes = list(twitch_component_classes())
    names = [
        name
        for cls in classes
        for member in vars(cls).values()
        if isinstance(member, twitch_commands.Command)
        for name in (member.qualified_name, *member.aliases)
    ]

    assert classes
    assert [name for name, count in Counter(names).items() if count > 1] == []
    assert set(names) <= set(registry_names())
