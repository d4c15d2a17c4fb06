"""The Twitch adapter: a twitchio 3 bot on EventSub chat, with its tokens kept in the database.

``run_twitch`` is what ``serve()`` runs beside the API. It keeps one ``TwitchBot`` going until
it is cancelled, then closes it; a bot that fails to start (Twitch unreachable, a refused
token) is logged, shown on the adapter status board and started afresh after a pause.
"""

# twitchio's event hooks are untyped where they come from.
# mypy: disable-error-code="untyped-decorator"

import asyncio
import logging
import time
from collections.abc import Callable

import twitchio
from twitchio import eventsub
from twitchio.ext import commands

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.components.announcements import Announcer
from tallybot.bot.components.relay import ChatRelay, LastSeen
from tallybot.bot.components.replies import TwitchReplies, refusal
from tallybot.bot.components.whispers import WhisperRelay
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings, TwitchSettings

log = logging.getLogger(__name__)

ADAPTER = "twitch"
# Reading and writing chat as the bot account, whispering link codes and tokens, and reading whispers.
SCOPES = ("user:read:chat", "user:write:chat", "user:bot", "user:manage:whispers")
# Pauses before each new start after a failure; the last one repeats.
RETRY_SECONDS = (5.0, 30.0, 120.0, 300.0)


def twitch_configured(settings: TwitchSettings) -> bool:
    """True if the settings hold what the Twitch adapter needs to start."""
    return bool(settings.client_id and settings.client_secret and settings.bot_id)


def _describe(error: Exception) -> str:
    if isinstance(error, twitchio.HTTPException):
        return refusal(error)
    return f"{type(error).__name__}: {error}"


class TwitchBot(commands.Bot):
    """The bot: joins the configured channels' chat and routes it through the command layer."""

    def __init__(
        self, services: Services, chat: ChatCommands, settings: TwitchSettings, monotonic: Callable[[], float]
    ) -> None:
        # No prefix: the command layer, not twitchio, finds the commands in chat.
        super().__init__(
            client_id=settings.client_id, client_secret=settings.client_secret, bot_id=settings.bot_id, prefix=()
        )
        self.services = services
        self.chat = chat
        self._channels = settings.channels or (settings.bot_id,)
        # Broadcaster user id -> the channel's community; filled before the first message arrives.
        self.communities: dict[str, Community] = {}
        self.replies = TwitchReplies(self, monotonic)

    async def load_tokens(self, path: str | None = None, /) -> None:
        """Hand twitchio the token pairs stored in the database (instead of ``.tio.tokens.json``)."""
        for token in await self.services.platform_tokens.load(Platform.TWITCH):
            try:
                await self.add_token(token.access_token, token.refresh_token)
            except twitchio.InvalidTokenException:
                log.warning("Twitch refused the stored token of user %s: run `tallybot twitch-auth`", token.user_id)

    async def event_token_refreshed(self, payload: twitchio.TokenRefreshedPayload) -> None:
        """Store a pair twitchio refreshed (on adding it, after a 401, or on its hourly check) at once."""
        await self.services.platform_tokens.save(Platform.TWITCH, payload.user_id, payload.token, payload.refresh_token)

    async def setup_hook(self) -> None:
        """Find the channels' communities, load the components, and subscribe to their chat and the bot's whispers."""
        ids: list[str | int] = [channel for channel in self._channels if channel.isascii() and channel.isdigit()]
        logins = [channel.lower() for channel in self._channels if not (channel.isascii() and channel.isdigit())]
        broadcasters = await self.fetch_users(ids=ids or None, logins=logins or None)
        found = {user.id for user in broadcasters} | {user.name for user in broadcasters}
        missing = {str(channel) for channel in (*ids, *logins)} - found
        if missing:
            raise LookupError(f"no Twitch user for channel(s) {', '.join(sorted(missing))}")
        for user in broadcasters:
            name = user.display_name or user.name or user.id
            self.communities[user.id] = await self.services.communities.ensure(Platform.TWITCH, user.id, name)
        seen = LastSeen()
        for relay in (ChatRelay, WhisperRelay):
            await self.add_component(
                relay(self.chat, self.services.clock, self.communities, seen, self.replies, self.bot_id)
            )
        await self.add_component(Announcer(self.services, self.communities, self.replies))
        for broadcaster_id in self.communities:
            chat = eventsub.ChatMessageSubscription(broadcaster_user_id=broadcaster_id, user_id=self.bot_id)
            await self.subscribe_websocket(chat)
        try:
            await self.subscribe_websocket(eventsub.WhisperReceivedSubscription(user_id=self.bot_id))
        except twitchio.HTTPException as refused:
            # Whispered commands are an extra: chat works without them.
            log.warning("the Twitch bot cannot read whispers (%s); commands work in chat only", refusal(refused))

    async def event_ready(self) -> None:
        """Show the adapter as connected, with the channels it reads."""
        names = ", ".join(sorted(community.name for community in self.communities.values()))
        self.services.adapters.report(ADAPTER, connected=True, detail=f"chat of {names}")

    async def event_message(self, payload: twitchio.ChatMessage) -> None:
        """Left to the ``ChatRelay`` component: twitchio's command parser would read every line a second time."""


async def run_twitch(
    services: Services, chat: ChatCommands, settings: Settings, *, monotonic: Callable[[], float] = time.monotonic
) -> None:
    """Run the Twitch adapter until cancelled; it closes its bot (and every socket) on the way out."""
    if not services.platform_tokens.encrypted:
        log.warning("Twitch tokens are stored unencrypted: set TALLYBOT_TWITCH_TOKEN_KEY to encrypt them")
    failures = 0
    try:
        while True:
            bot = TwitchBot(services, chat, settings.twitch, monotonic)
            # start() returns only once the bot is closed, so getting past it is always a failure.
            reason = "the bot stopped"
            try:
                await bot.start(with_adapter=False, save_tokens=False)
            except Exception as error:
                reason = _describe(error)
            finally:
                await bot.close()
            failures += 1
            pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1]
            detail = f"could not connect ({reason}); retrying in {pause:.0f} s"
            log.warning("Twitch adapter %s", detail)
            services.adapters.report(ADAPTER, connected=False, detail=detail)
            await asyncio.sleep(pause)
    except asyncio.CancelledError:
        services.adapters.report(ADAPTER, connected=False, detail="stopped")
        raise
