"""Announcements worded for chat, and the ``announce here`` command.

What is announced and where comes from ``services.announcements`` (a game added, a poker
reveal, a night closed, each as typed news with its community and channel); each adapter
relays them for its platform and posts ``wording(announcement)``. Where ``channel_id`` is
None, an adapter posts in its own default channel (the broadcaster's chat on Twitch;
nowhere on Discord).
"""

from tallybot.bot.commands.gamenight import VOTE_HINT
from tallybot.bot.commands.types import Command, Invocation, NoArguments, Reply, no_arguments
from tallybot.core.announcements import Announcement, GameAdded, NightClosed, PokerRevealed
from tallybot.core.poker import figure


def game_added(news: GameAdded) -> str:
    """The line announcing a game that started playing."""
    game = news.game
    room = f", room code {game.room_code}" if game.room_code else ""
    return f"🎮 Now playing: {game.title} ({game.pack_name}){room}. {VOTE_HINT}"


def night_closed(news: NightClosed) -> str:
    """The line announcing a closed game night, with how many games it had."""
    played = news.night.games_played
    count = f"{played} {'game' if played == 1 else 'games'}"
    return f"🌙 Game night #{news.night.id} is over: {count} played. Thanks for playing!"


def poker_revealed(news: PokerRevealed) -> str:
    """The line announcing a poker round's cards: every vote, the median, and the verdict."""
    result = news.result
    votes = ", ".join(f"{name} {card}" for name, card in result.votes)
    if result.consensus:
        verdict = "Consensus!"
    else:
        outliers = ", ".join(result.outliers)
        verdict = f"No consensus; furthest from the median: {outliers}." if outliers else "No consensus."
    median = "" if result.median is None else f"Median {figure(result.median)}. "
    return f"🃏 Cards are up for “{news.prompt.text}”: {votes or 'no votes'}. {median}{verdict}"


def wording(announcement: Announcement) -> str:
    """The chat line of an announcement."""
    match announcement.what:
        case GameAdded() as news:
            return game_added(news)
        case NightClosed() as news:
            return night_closed(news)
        case PokerRevealed() as news:
            return poker_revealed(news)


async def _announce_here(invocation: Invocation, _: NoArguments) -> Reply:
    message = invocation.message
    await invocation.services.chat.set_announcement_channel(message.principal, message.community, message.channel_id)
    return Reply(public="From now on, announcements (games added, poker reveals, nights closed) appear here.")


ANNOUNCE_HERE = Command(
    "announce here",
    "announce here",
    "send this community's announcements to this channel",
    no_arguments,
    _announce_here,
    host_only=True,
)

COMMANDS = (ANNOUNCE_HERE,)
