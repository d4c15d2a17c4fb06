"""How the Twitch adapter answers: replies in the channel, whispers, and the one error mapping.

Everything the bot says on Twitch goes through ``TwitchReplies``, so every line is cut to
Twitch's 500 characters and has its mass mentions defanged, whatever produced it.
"""

import logging
from collections.abc import Callable

import twitchio
from twitchio.ext import commands

from tallybot.bot.commands.layer import fit
from tallybot.bot.commands.types import REPLY_LIMITS, Reply
from tallybot.core.errors import DomainError, RateLimited
from tallybot.core.models import Platform
from tallybot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

LIMIT = REPLY_LIMITS[Platform.TWITCH]
GENERIC_FAILURE = "Something went wrong. Please try again later."
# Never repeats the private text: a failed whisper must not put a code or a token in the channel.
WHISPER_FAILED = (
    "@{name} Twitch would not let me whisper you. Allow whispers from strangers "
    "(Settings, Security and Privacy), then try again."
)
# Twitch lets an account that is not a moderator say 20 lines per 30 seconds in a channel.
# Vote acknowledgements get half of that, so a flood of votes is counted in silence and
# never crowds out the answers to commands.
REACTIONS_PER_WINDOW = 10
REACTION_WINDOW_SECONDS = 30.0


def refusal(error: twitchio.HTTPException) -> str:
    """Twitch's answer to a request, without the request's address: its query can hold the client
    secret or a refresh token (twitchio puts them there), and an InvalidTokenException's text quotes the token."""
    return f"Twitch answered {error.status}: {error.extra.get('message', 'no reason given')}"


def _reason(error: twitchio.HTTPException | twitchio.MessageRejectedError) -> str:
    if isinstance(error, twitchio.HTTPException):
        return refusal(error)
    return str(error)


def error_text(error: Exception) -> str:
    """What chat sees when a message failed: a domain error's own words; anything else is logged."""
    if isinstance(error, DomainError):
        return str(error)
    log.error("a Twitch chat message failed", exc_info=error)
    return GENERIC_FAILURE


class TwitchReplies:
    """Sends the bot's lines to Twitch as the bot account, with its user token."""

    def __init__(self, bot: commands.Bot, monotonic: Callable[[], float]) -> None:
        self._bot = bot
        self._reactions = RateLimiter(REACTIONS_PER_WINDOW, REACTION_WINDOW_SECONDS, monotonic, "")

    async def answer(self, message: twitchio.ChatMessage, reply: Reply) -> None:
        """Carry out a reply to a chat message: the public line, the whisper, or the reaction's short line."""
        if reply.public is not None:
            await self._post(message.broadcaster, reply.public, message.id)
        elif reply.reaction is not None and self._reaction_fits(message.broadcaster.id):
            # Twitch has no reactions: the emoji goes back as a reply of its own.
            await self._post(message.broadcaster, reply.reaction, message.id)
        if reply.private is not None:
            await self._whisper(message, reply.private)

    async def fail(self, message: twitchio.ChatMessage, error: Exception) -> None:
        """Answer a chat message whose handling raised."""
        await self._post(message.broadcaster, error_text(error), message.id)

    async def say(self, broadcaster_id: str, text: str) -> None:
        """Post a line of the bot's own (an announcement) in a channel's chat."""
        await self._post(self._bot.create_partialuser(broadcaster_id), text, None)

    def _reaction_fits(self, broadcaster_id: str) -> bool:
        try:
            self._reactions.hit(broadcaster_id)
        except RateLimited:
            return False
        return True

    async def _post(self, channel: twitchio.PartialUser, text: str, reply_to: str | None) -> None:
        bot_id = self._bot.bot_id
        try:
            # The user token needs no consent from the broadcaster (the app token would need channel:bot).
            await channel.send_message(fit(text, LIMIT), bot_id, token_for=bot_id, reply_to_message_id=reply_to)
        except (twitchio.HTTPException, twitchio.MessageRejectedError) as refused:
            log.warning("Twitch refused a line in channel %s: %s", channel.id, _reason(refused))

    async def whisper(self, user: twitchio.PartialUser, text: str) -> bool:
        """Whisper a line to one user; False if Twitch refused it."""
        sender = self._bot.create_partialuser(self._bot.bot_id)
        try:
            await sender.send_whisper(to_user=user, message=fit(text, LIMIT))
        except twitchio.HTTPException as refused:
            # Twitch refuses whispers to people who block strangers' whispers, and from unverified accounts.
            log.warning("Twitch refused a whisper to user %s: %s", user.id, refusal(refused))
            return False
        return True

    async def _whisper(self, message: twitchio.ChatMessage, text: str) -> None:
        if not await self.whisper(message.chatter, text):
            name = message.chatter.display_name or message.chatter.name
            await self._post(message.broadcaster, WHISPER_FAILED.format(name=name), message.id)
