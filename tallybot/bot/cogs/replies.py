"""How a command-layer Reply reaches Discord, and the buttons that stand for a reply's choices.

Slash commands and buttons run their command with typed arguments (``run_command``) and
answer through the interaction: a command marked private (vote, link, token) answers
ephemerally first and posts any public part after it. Chat messages are answered with a
reaction, a reply in the channel, and a DM for the private part. Buttons carry their
command and choice in their custom id and are answered by ``ChoiceButton``, which makes
the command's arguments from the choice. It is registered once on the bot, so no view is
kept per message and none waits on a timeout.
"""

import re
from typing import Any, Self, TypeVar, cast

import discord

from tallybot.bot.cogs.errors import answer_interaction
from tallybot.bot.commands.types import Command, Reply
from tallybot.bot.discord_app import TallyBot
from tallybot.core.errors import Forbidden

DMS_CLOSED = "I could not send you a direct message. Allow DMs from this server's members, then try again."
NOT_IN_A_SERVER = "Use tallybot's commands in a server."
# Discord's limits: 25 buttons on a message, 100 characters in a custom id.
_MAX_BUTTONS = 25
_MAX_CUSTOM_ID = 100
A = TypeVar("A")


def _custom_id(command: str, choice: str) -> str:
    return f"tallybot:choice:{command}:{choice}"


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"tallybot:choice:(?P<command>[^:]+):(?P<choice>.+)",
):
    """One choice of a reply (a poker card): pressing it runs the reply's command with it, as the presser."""

    def __init__(self, command: str, choice: str) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=choice, style=discord.ButtonStyle.secondary, custom_id=_custom_id(command, choice)
        )
        super().__init__(button)
        self.command = command
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """The button that was pressed, rebuilt from its custom id."""
        return cls(match["command"], match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the command with the arguments this choice stands for and answer the presser alone."""
        try:
            command = cast(TallyBot, interaction.client).chat.command(self.command)
            await run_command(interaction, command, command.chosen(self.choice))
        except Exception as error:
            await answer_interaction(interaction, error)


def choice_view(reply: Reply) -> discord.ui.View | None:
    """Buttons for the reply's choices, or None when it offers none."""
    if reply.choice_command is None:
        return None
    command = reply.choice_command
    choices = [choice for choice in reply.choices if len(_custom_id(command, choice)) <= _MAX_CUSTOM_ID]
    if not choices:
        return None
    view = discord.ui.View(timeout=None)
    for choice in choices[:_MAX_BUTTONS]:
        view.add_item(ChoiceButton(command, choice))
    # A finished view is sent but not stored: ChoiceButton answers the presses.
    view.stop()
    return view


async def run_command(interaction: discord.Interaction, command: Command[A], arguments: A) -> None:
    """Run a chat command with the arguments that a slash command's options or a button stand for.

    The reply goes out through the interaction; domain errors propagate to the caller's
    error handler (``cogs/errors.py``).
    """
    bot = cast(TallyBot, interaction.client)
    sent_at = bot.services.clock()
    if interaction.guild is None or interaction.channel_id is None:
        raise Forbidden(NOT_IN_A_SERVER)
    if not bot.accepting():
        return
    message = await bot.chat_message(
        guild=interaction.guild,
        channel_id=interaction.channel_id,
        author=interaction.user,
        text=f"/{command.name}",
        sent_at=sent_at,
    )
    reply = await bot.chat.run_parsed(message, command, arguments)
    await respond(interaction, reply, private=command.private)


async def respond(interaction: discord.Interaction, reply: Reply | None, *, private: bool) -> None:
    """Send a reply through an interaction: the first part as its response, the rest as followups.

    A private command's private text comes first and ephemerally. A None reply (the user is
    throttled and was told so once) is acknowledged and its placeholder removed, so that
    Discord shows no error and the user no second notice.
    """
    if reply is None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.delete_original_response()
        return
    parts = [(reply.private, True), (reply.public, False)]
    if not private:
        parts.reverse()
    texts = [(text, ephemeral) for text, ephemeral in parts if text]
    if not texts:
        texts = [(reply.reaction or "✅", True)]
    view = choice_view(reply)
    with_view = next((i for i, (_, ephemeral) in enumerate(texts) if not ephemeral), 0)
    for i, (text, ephemeral) in enumerate(texts):
        extra: dict[str, Any] = {"view": view} if view is not None and i == with_view else {}
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=ephemeral, **extra)
        else:
            await interaction.response.send_message(text, ephemeral=ephemeral, **extra)


async def reply_to(message: discord.Message, reply: Reply) -> None:
    """Answer a chat message: the reaction on it, the private text by DM, the public text as a reply.

    If the author's DMs are closed, the public text (which would say that a DM was sent)
    gives way to a notice that it was not, without the secret.
    """
    if reply.reaction:
        await message.add_reaction(reply.reaction)
    public = reply.public
    if reply.private:
        try:
            await message.author.send(reply.private)
        except discord.HTTPException:
            public = DMS_CLOSED
    view = choice_view(reply)
    if public or view is not None:
        extra: dict[str, Any] = {} if view is None else {"view": view}
        await message.reply(public, mention_author=False, **extra)


async def setup(bot: TallyBot) -> None:
    """Extension entry point: presses of any choice button, on any message, are answered from now on."""
    bot.add_dynamic_items(ChoiceButton)


async def teardown(bot: TallyBot) -> None:
    """Extension exit point."""
    bot.remove_dynamic_items(ChoiceButton)
