"""``tallybot console``: chat with the bot in a terminal, against the local core, with no credentials.

Every line typed is a chat message in the default community, from the current user.
``/as <name>`` switches user, ``/host`` toggles whether that user is a host, ``/quit``
(or Ctrl-D, or Ctrl-C) leaves. Replies are printed, private ones marked as such, and so
are the community's announcements.
"""

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator
from typing import TextIO

from tallybot.bot.commands.announcements import wording
from tallybot.bot.commands.layer import ChatCommands, fit
from tallybot.bot.commands.types import REPLY_LIMITS, ChatMessage, ChatUser, Reply
from tallybot.core.announcements import Announcement
from tallybot.core.errors import DomainError
from tallybot.core.models import Platform, Role
from tallybot.core.services import Services

log = logging.getLogger(__name__)

DEFAULT_USER = "you"
_MENTION = re.compile(r"@([^\s@<>]{1,100})")
_LIMIT = REPLY_LIMITS[Platform.LOCAL]


async def read_lines(fd: int) -> AsyncIterator[str]:
    """Lines from a file descriptor (a terminal or a pipe) without blocking the loop or a thread."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    loop.add_reader(fd, lambda: chunks.put_nowait(os.read(fd, 4096)))
    pending = b""
    try:
        while True:
            chunk = await chunks.get()
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line.decode(errors="replace").rstrip("\r")
    finally:
        loop.remove_reader(fd)
    if pending:
        yield pending.decode(errors="replace")


class Console:
    """One terminal's chat: who is typing, and what the bot answers."""

    def __init__(self, services: Services, chat: ChatCommands, out: TextIO) -> None:
        self._services = services
        self._chat = chat
        self._out = out
        self._user = ChatUser(DEFAULT_USER, DEFAULT_USER)
        self._hosts: set[str] = set()
        # Everyone who has typed here, so that @name resolves like a platform's own mentions.
        self._seen: dict[str, ChatUser] = {DEFAULT_USER: self._user}

    def say(self, text: str) -> None:
        """Print one line."""
        print(text, file=self._out, flush=True)

    def banner(self) -> str:
        """What the console says first."""
        community = self._services.default_community.name
        return (
            f"tallybot console: community {community!r}, you are {self._describe()}. "
            f"/as <name> switches user, /host toggles host, /quit leaves; {self._chat.prefix}help lists commands."
        )

    def _describe(self) -> str:
        return f"{self._user.name} ({self._role().value})"

    def _role(self) -> Role:
        return Role.HOST if self._user.id in self._hosts else Role.MEMBER

    async def announce(self, announcement: Announcement) -> None:
        """Print one of the community's announcements."""
        self.say(f"📣 {fit(wording(announcement), _LIMIT)}")

    async def converse(self, stdin_fd: int) -> None:
        """Handle typed lines until /quit or the end of input."""
        async for line in read_lines(stdin_fd):
            if not await self.handle(line):
                return

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False once the user wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text == "/quit":
            return False
        if text == "/host":
            self._hosts.symmetric_difference_update({self._user.id})
            self.say(f"* you are {self._describe()}")
            return True
        if text.startswith("/as ") or text == "/as":
            self._switch(text.removeprefix("/as").strip())
            return True
        await self._send(text)
        return True

    def _switch(self, name: str) -> None:
        if not name or len(name) > 100 or any(c.isspace() for c in name):
            self.say("* usage: /as <name> (one word)")
            return
        self._user = self._seen.setdefault(name.casefold(), ChatUser(name.casefold(), name))
        self.say(f"* you are {self._describe()}")

    async def _send(self, text: str) -> None:
        mentions = tuple(
            self._seen[name.casefold()] for name in _MENTION.findall(text) if name.casefold() in self._seen
        )
        message = ChatMessage(
            platform=Platform.LOCAL,
            community=self._services.default_community,
            channel_id="console",
            author=self._user,
            role=self._role(),
            text=text,
            sent_at=self._services.clock(),
            mentions=mentions,
        )
        # The one place where a failure becomes a console reply.
        try:
            reply = await self._chat.on_message(message)
        except DomainError as error:
            self.say(f"bot: {fit(str(error), _LIMIT)}")
            return
        except Exception:
            log.exception("console message failed")
            self.say("bot: Something went wrong. Please try again later.")
            return
        if reply is not None:
            self._show(reply)

    def _show(self, reply: Reply) -> None:
        if reply.reaction:
            self.say(f"bot reacts {reply.reaction}")
        if reply.public:
            self.say(f"bot: {reply.public}")
        if reply.private:
            self.say(f"bot (privately, to {self._user.name}): {reply.private}")
        if reply.choices and reply.choice_command:
            options = " | ".join(reply.choices)
            self.say(f"bot offers: {options} (type {self._chat.prefix}{reply.choice_command} <choice>)")


async def run_console(services: Services, chat: ChatCommands, stdin_fd: int, out: TextIO, stop: asyncio.Event) -> None:
    """Chat in the terminal until /quit, end of input or ``stop``; announcements are printed as they come."""
    console = Console(services, chat, out)
    console.say(console.banner())
    async with asyncio.TaskGroup() as group:
        relay = group.create_task(services.announcements.relay(Platform.LOCAL, console.announce), name="console-news")
        typing = group.create_task(console.converse(stdin_fd), name="console-input")
        stopped = group.create_task(stop.wait(), name="console-stop")
        await asyncio.wait({typing, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (relay, typing, stopped):
            task.cancel()
    console.say("bye")
