"""``tallybot import-chat FILE --session ID``: import a JSON or CSV chat log from the command line.

The log is read with a progress bar on stderr, then stored and counted in one unit of
work, exactly as ``POST /api/sessions/{id}/chat-import`` does. The command runs as the
operator (see ``operator_of``), who is a host of the community it imports into.
"""

import asyncio
from pathlib import Path
from typing import TextIO

from tallybot.core.errors import Invalid
from tallybot.core.gamenight import ChatImportResult, read_chat_log
from tallybot.core.models import Community, Principal
from tallybot.core.services import Services


class ProgressBar:
    """A one-line progress bar, redrawn in place whenever the percentage changes."""

    def __init__(self, label: str, stream: TextIO, width: int = 30) -> None:
        self._label = label
        self._stream = stream
        self._width = width
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        """Show ``done`` out of ``total``."""
        percent = 100 if total == 0 else done * 100 // total
        if percent == self._shown:
            return
        self._shown = percent
        filled = self._width * percent // 100
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\r{self._label} [{bar}] {percent:3d}% {done:,}/{total:,}")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


def summary(result: ChatImportResult) -> str:
    """What the import did, one line per fact and per game."""
    lines = [
        f"messages imported: {result.messages_imported:,}",
        f"duplicates skipped: {result.duplicates_skipped:,}",
        f"votes counted: {result.votes_processed:,}",
    ]
    lines += [f"  {t.title}: +{t.upvotes:,} / -{t.downvotes:,}" for t in result.votes_by_game.values()]
    return "\n".join(lines)


def operator_of(community: Community) -> Principal:
    """Who the command line acts as: the operator, a host of the community.

    Whoever can run ``tallybot`` here can read and write its database and bot.toml, so
    they need no token to be a host; a token would prove nothing more.
    """
    return Principal.host(community, "operator (tallybot import-chat)")


async def import_chat_file(services: Services, path: Path, session_id: int, stream: TextIO) -> ChatImportResult:
    """Read a chat log file and import it into a session of the default community."""
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"{path}: cannot read the chat log ({exc})") from None
    messages = read_chat_log(text, ProgressBar("reading", stream))
    stream.write(f"importing {len(messages):,} messages into session {session_id}...\n")
    community = services.default_community
    return await services.game_nights.import_chat(operator_of(community), community, session_id, messages)
