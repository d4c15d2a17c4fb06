"""Twitch chat into the command layer: every message becomes a ``ChatMessage``, and its reply goes back.

twitchio's own command parser is not used: the command layer parses commands (and counts
``thisgame++`` votes) the same way on every platform, so all of it arrives here as plain chat.
"""

# twitchio's listener decorator is annotated as returning Any.
# mypy: disable-error-code="untyped-decorator"

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

import twitchio
from twitchio.ext import commands

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import ChatMessage, ChatUser
from tallybot.bot.components.replies import TwitchReplies
from tallybot.core.models import Community, Platform, Role
from tallybot.core.ports import Clock

# How long closing the bot waits for the messages it is still answering.
TEARDOWN_SECONDS = 5.0
# Chatters remembered by ``LastSeen``; the longest-silent are forgotten first.
REMEMBERED_CHATTERS = 10_000


def host_or_member(chatter: twitchio.Chatter) -> Role:
    """The broadcaster and the channel's moderators are hosts; everyone else is a member."""
    return Role.HOST if chatter.broadcaster or chatter.moderator else Role.MEMBER


def chat_message(message: twitchio.ChatMessage, community: Community, sent_at: datetime) -> ChatMessage:
    """A Twitch chat message in the command layer's terms."""
    text = message.text
    if message.reply is not None:
        # Twitch starts a reply with "@parent "; without it, "!vote 5" said as a reply is still a command.
        parent = message.reply.parent_user
        for name in (parent.display_name, parent.name):
            if name and text.casefold().startswith(f"@{name} ".casefold()):
                text = text[len(name) + 2 :]
                break
    chatter = message.chatter
    return ChatMessage(
        platform=Platform.TWITCH,
        community=community,
        channel_id=message.broadcaster.id,
        author=ChatUser(chatter.id, chatter.display_name or chatter.name or chatter.id),
        role=host_or_member(chatter),
        text=text,
        sent_at=sent_at,
        mentions=tuple(ChatUser(user.id, user.display_name or user.name or user.id) for user in message.mentions),
    )


class LastSeen:
    """The channel each chatter last spoke in, and their role there: a whisper brings neither."""

    def __init__(self, limit: int = REMEMBERED_CHATTERS) -> None:
        self._limit = limit
        self._seen: dict[str, tuple[str, Role]] = {}

    def note(self, chatter_id: str, broadcaster_id: str, role: Role) -> None:
        """Remember where a chatter just spoke."""
        self._seen.pop(chatter_id, None)
        self._seen[chatter_id] = (broadcaster_id, role)
        if len(self._seen) > self._limit:
            del self._seen[next(iter(self._seen))]

    def get(self, chatter_id: str) -> tuple[str, Role] | None:
        """Where the chatter last spoke and as what, if they did since the bot started."""
        return self._seen.get(chatter_id)


class Answering(commands.Component):
    """What the chat and whisper relays share: where messages go, and finishing those in flight on unloading."""

    def __init__(
        self,
        chat: ChatCommands,
        clock: Clock,
        communities: Mapping[str, Community],
        seen: LastSeen,
        replies: TwitchReplies,
        bot_id: str,
    ) -> None:
        self._chat = chat
        self._clock = clock
        self._communities = communities
        self._seen = seen
        self._replies = replies
        self._bot_id = bot_id
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def component_teardown(self) -> None:
        """Take no new messages, and let those being answered finish (their replies still go out)."""
        self._closing = True
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=TEARDOWN_SECONDS)

    async def _tracked(self, answering: Awaitable[None]) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            await answering
        finally:
            self._in_flight.discard(task)


class ChatRelay(Answering):
    """Hands every chat message in the joined channels to the command layer and answers it."""

    @commands.Component.listener()
    async def event_message(self, message: twitchio.ChatMessage) -> None:
        """Count the vote in a message or run its command, and send whatever the layer answers."""
        # Read before any await: messages take their times in the order Twitch delivered them.
        sent_at = self._clock()
        community = self._communities.get(message.broadcaster.id)
        # Twitch echoes the bot's own lines; a shared chat repeats other channels' messages here.
        mine_or_shared = message.chatter.id == self._bot_id or message.source_broadcaster is not None
        if self._closing or community is None or mine_or_shared:
            return
        translated = chat_message(message, community, sent_at)
        self._seen.note(message.chatter.id, message.broadcaster.id, translated.role)
        await self._tracked(self._answer(message, translated))

    async def _answer(self, message: twitchio.ChatMessage, translated: ChatMessage) -> None:
        try:
            reply = await self._chat.on_message(translated)
        except Exception as error:
            await self._replies.fail(message, error)
            return
        if reply is not None:
            await self._replies.answer(message, reply)
