"""Announcements: committed events worded for chat and sent to each community's channel.

A game added (from chat or the API), a poker reveal (every vote, the median, consensus
or outliers) and a night closed are announced. Each adapter runs ``relay_announcements``
for its platform and posts every line it gets: in the channel a host chose with
``announce here``, or, where ``channel_id`` is None, in the adapter's own default (the
broadcaster's chat on Twitch; nowhere on Discord). A poker session started in chat has
its reveals announced in the channel it was started in; this announcement is the one
place chat sees a round's result, whether the last vote, the owner's ``reveal`` or the
HTTP API revealed it.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tallybot.bot.commands.gamenight import VOTE_HINT
from tallybot.bot.commands.types import Command, Invocation, Reply
from tallybot.core.models import Event, Platform
from tallybot.core.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """One line for a community's announcement channel (None: the adapter's default channel)."""

    community_id: int
    channel_id: str | None
    text: str


Post = Callable[[Announcement], Awaitable[None]]


def _game_added(data: Mapping[str, Any]) -> str:
    game = data.get("game", {})
    room = f", room code {game['room_code']}" if game.get("room_code") else ""
    return f"🎮 Now playing: {game.get('title', '?')} ({game.get('pack_name', '?')}){room}. {VOTE_HINT}"


def _night_closed(data: Mapping[str, Any]) -> str:
    session = data.get("session", {})
    played = session.get("games_played")
    count = "" if played is None else f": {played} {'game' if played == 1 else 'games'} played"
    return f"🌙 Game night #{data.get('sessionId', '?')} is over{count}. Thanks for playing!"


def _poker_revealed(data: Mapping[str, Any]) -> str:
    result = data.get("result", {})
    votes = ", ".join(f"{vote.get('participant_id')} {vote.get('vote')}" for vote in result.get("votes", []))
    if result.get("consensus"):
        verdict = "Consensus!"
    else:
        outliers = ", ".join(str(name) for name in result.get("outliers", []))
        verdict = f"No consensus; furthest from the median: {outliers}." if outliers else "No consensus."
    median = "" if result.get("median") is None else f"Median {result['median']}. "
    return f"🃏 Cards are up for “{data.get('prompt', '?')}”: {votes or 'no votes'}. {median}{verdict}"


_WORDING: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "game.added": _game_added,
    "session.ended": _night_closed,
    "poker.revealed": _poker_revealed,
}


def describe(event: Event) -> str | None:
    """The chat line announcing an event, or None for events chat does not hear about."""
    wording = _WORDING.get(event.type)
    return None if wording is None else wording(event.data)


async def announcement_for(services: Services, event: Event, platform: Platform) -> Announcement | None:
    """The announcement of an event for a community on ``platform``, or None if there is none to make."""
    text = describe(event)
    if text is None:
        return None
    poker_session = event.data.get("session_id") if event.type.startswith("poker.") else None
    target = await services.chat.announcement_target(event.community_id, poker_session)
    if target is None or target.community.platform is not platform:
        return None
    return Announcement(event.community_id, target.channel_id, text)


async def relay_announcements(services: Services, platform: Platform, post: Post) -> None:
    """Post the announcements for ``platform``'s communities until cancelled.

    A post that fails is logged and skipped. A subscription cut off for falling behind
    is renewed: a burst of events costs some announcements, not all later ones.
    """
    while True:
        subscription = services.bus.subscribe()
        try:
            async for event in subscription:
                announcement = await announcement_for(services, event, platform)
                if announcement is None:
                    continue
                try:
                    await post(announcement)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("could not post an announcement in community %d", announcement.community_id)
        finally:
            subscription.close()
        log.warning("announcements fell behind the events; some were skipped")


async def _announce_here(invocation: Invocation) -> Reply:
    message = invocation.message
    await invocation.services.chat.set_announcement_channel(message.principal, message.community, message.channel_id)
    return Reply(public="From now on, announcements (games added, poker reveals, nights closed) appear here.")


ANNOUNCE_HERE = Command(
    "announce here",
    "announce here",
    "send this community's announcements to this channel",
    _announce_here,
    host_only=True,
)

COMMANDS = (ANNOUNCE_HERE,)
