"""Every chat command of every feature, in the order ``help`` lists them."""

from typing import Any

from tallybot.bot.commands import account, announcements, coffee, gamenight, poker
from tallybot.bot.commands.types import Command


def all_commands() -> tuple[Command[Any], ...]:
    """The commands each feature module exports as ``COMMANDS`` (``help`` is the layer's own)."""
    return (*gamenight.COMMANDS, *poker.COMMANDS, *coffee.COMMANDS, *announcements.COMMANDS, *account.COMMANDS)
