"""The Discord adapter: a discord.py bot whose cogs hand every chat message and slash command to the command layer.

``run_discord`` is what ``tallybot run`` starts beside the API; ``sync_commands`` is what
``tallybot sync-commands`` runs, because slash commands are registered explicitly, never
on every start.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import ChatMessage, ChatUser
from tallybot.core.models import Community, Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings

ADAPTER = "discord"
# How long closing waits for messages and commands being answered before it cancels them.
SETTLE_SECONDS = 5.0
# Loaded in this order; ``errors`` first so that every later cog's commands report through it.
EXTENSIONS = (
    "tallybot.bot.cogs.errors",
    "tallybot.bot.cogs.replies",
    "tallybot.bot.cogs.listener",
    "tallybot.bot.cogs.gamenight",
    "tallybot.bot.cogs.poker",
    "tallybot.bot.cogs.coffee",
    "tallybot.bot.cogs.account",
    "tallybot.bot.cogs.help",
    "tallybot.bot.cogs.announcements",
)


def intents() -> discord.Intents:
    """Only what the bot reads: servers, their messages with content (for ``thisgame++``), and DMs.

    No members intent: a message or interaction carries its author's roles, which is
    enough to tell a host.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


def role_of(user: discord.abc.User) -> Role:
    """Manage Server (or Administrator, which implies it) makes a host; everyone else is a member."""
    if isinstance(user, discord.Member):
        permissions = user.guild_permissions
        if permissions.manage_guild or permissions.administrator:
            return Role.HOST
    return Role.MEMBER


def chat_user(user: discord.abc.User) -> ChatUser:
    """A Discord account as the command layer sees it: the id, and the unique username."""
    return ChatUser(str(user.id), user.name)


class TallyBot(commands.Bot):
    """discord.py's bot with the services and command layer that the cogs use."""

    def __init__(self, services: Services, chat: ChatCommands, *, guild_ready_timeout: float = 2.0) -> None:
        super().__init__(
            # Chat commands are parsed by the command layer, not by discord.py's prefix commands.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            # Nobody is ever pinged by the bot: not @everyone, not a role, not a user, not a replied-to author.
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
            # Every command acts on a server's community, so none is offered in DMs.
            allowed_contexts=app_commands.AppCommandContext(guild=True),
        )
        self.services = services
        self.chat = chat
        self._communities: dict[int, Community] = {}
        self._busy: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def setup_hook(self) -> None:
        """Load every cog; runs once, at login."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)

    async def on_message(self, message: discord.Message, /) -> None:
        """Chat is answered by the listener cog through the command layer, so prefix commands never run."""

    async def on_ready(self) -> None:
        """Learn each server's community, then tell the dashboard the adapter is up."""
        for guild in self.guilds:
            await self.community_for(guild)
        self.services.adapters.report(ADAPTER, connected=True, detail=_servers(len(self.guilds)))

    async def on_resumed(self) -> None:
        """The gateway session came back after a drop."""
        self.services.adapters.report(ADAPTER, connected=True, detail=_servers(len(self.guilds)))

    async def on_disconnect(self) -> None:
        """The gateway connection dropped; discord.py reconnects by itself."""
        self.services.adapters.report(ADAPTER, connected=False, detail="reconnecting")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A server added the bot: its community exists from now on, ready for announcements."""
        await self.community_for(guild)

    def accepting(self) -> bool:
        """Whether to take on the event the current task is handling: False once the bot is closing.

        The task is remembered until it ends, error replies included, so that ``close``
        lets it finish.
        """
        task = asyncio.current_task()
        if self._closing or task is None:
            return False
        if task not in self._busy:
            self._busy.add(task)
            task.add_done_callback(self._busy.discard)
        return True

    async def close(self) -> None:
        """Let answers in progress finish (for a while), then unload the cogs, leave the gateway and say so.

        discord.py would otherwise close its HTTP session under a handler that is still
        replying, and leave that handler's task behind.
        """
        self._closing = True
        busy = set(self._busy)
        if busy:
            _, late = await asyncio.wait(busy, timeout=SETTLE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await super().close()
        # discord.py leaves its wait for the servers' GUILD_CREATEs running if it closes before READY.
        waiting_for_guilds = self._connection._ready_task
        if waiting_for_guilds is not None:
            waiting_for_guilds.cancel()
            await asyncio.gather(waiting_for_guilds, return_exceptions=True)
        self.services.adapters.report(ADAPTER, connected=False, detail="stopped")

    async def community_for(self, guild: discord.Guild) -> Community:
        """The community of a server, created on first sight and remembered."""
        community = self._communities.get(guild.id)
        if community is None:
            community = await self.services.communities.ensure(Platform.DISCORD, str(guild.id), guild.name)
            self._communities[guild.id] = community
        return community

    async def chat_message(
        self,
        *,
        guild: discord.Guild,
        channel_id: int,
        author: discord.abc.User,
        text: str,
        sent_at: datetime,
        mentions: Sequence[discord.abc.User] = (),
    ) -> ChatMessage:
        """A message or slash command translated for the command layer.

        ``mentions`` are the users Discord resolved in a message's text; a slash command has
        none, since its user options reach the command as typed arguments.

        ``sent_at`` comes from the services' clock, the same clock that times the games of a
        night, so a vote just after a game starts can never land before it.
        """
        return ChatMessage(
            platform=Platform.DISCORD,
            community=await self.community_for(guild),
            channel_id=str(channel_id),
            author=chat_user(author),
            role=role_of(author),
            text=text,
            sent_at=sent_at,
            mentions=tuple(chat_user(user) for user in mentions),
        )


def _servers(count: int) -> str:
    return f"{count} server" if count == 1 else f"{count} servers"


def build_discord_bot(services: Services, chat: ChatCommands, *, guild_ready_timeout: float = 2.0) -> TallyBot:
    """The Discord bot, its cogs loaded when it logs in.

    ``guild_ready_timeout`` is how long discord.py waits after the last server arrives
    before it is ready; tests against a fake Discord shorten it.
    """
    return TallyBot(services, chat, guild_ready_timeout=guild_ready_timeout)


async def run_discord(services: Services, chat: ChatCommands, settings: Settings) -> None:
    """Run the Discord bot until cancelled; the client is closed on the way out.

    discord.py reconnects by itself after network trouble; what it cannot get past (a
    refused token, an intent the application lacks) is shown on the status board and raised.
    """
    try:
        async with build_discord_bot(services, chat) as bot:
            await bot.start(settings.discord.token)
    except discord.LoginFailure:
        services.adapters.report(ADAPTER, connected=False, detail="Discord refused the token in [discord] token")
        raise
    except discord.PrivilegedIntentsRequired:
        detail = "turn on the Message Content intent of the bot in Discord's developer portal"
        services.adapters.report(ADAPTER, connected=False, detail=detail)
        raise


async def sync_commands(
    services: Services, chat: ChatCommands, settings: Settings, guild_id: int | None = None
) -> list[str]:
    """Register the slash commands with Discord: globally, or in one server (which shows them at once).

    Returns the names of the top-level commands registered.
    """
    async with build_discord_bot(services, chat) as bot:
        await bot.login(settings.discord.token)
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return sorted(command.name for command in synced)
