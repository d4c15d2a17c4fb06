"""The command layer: a chat message in, a reply out, the same on every platform.

Adapters call ``on_message`` for every chat message, which parses a command's arguments
from the text, and ``run_parsed`` for a command whose typed arguments the platform gave
(Discord's slash commands and buttons). Both raise the core's domain errors,
which each adapter shows in its one error handler. Who may run a command is the services'
decision (each handler passes them ``message.principal``); the layer only words a refusal,
NotHost, as "Only a host can use <command>", since it alone knows the command and prefix.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tallybot.bot.commands.types import (
    REPLY_LIMITS,
    ChatMessage,
    Command,
    Invocation,
    NoArguments,
    Reply,
    no_arguments,
)
from tallybot.core.errors import NotFound, NotHost, RateLimited
from tallybot.core.gamenight import ChatVoteOutcome
from tallybot.core.models import Role
from tallybot.core.ratelimit import RateLimiter
from tallybot.core.services import Services
from tallybot.settings import ChatSettings

# Longer messages are cut before parsing: no command needs more, and a 10 KB paste
# should cost no more than a short line.
MAX_TEXT = 1000
_VOTE_REACTION = "✅"
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
A = TypeVar("A")


def fit(text: str, limit: int) -> str:
    """The text made safe to post: no mass mentions, and no longer than the platform allows."""
    text = _MASS_MENTION.sub("@\u200b\\1", text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


class ChatCommands:
    """Parses chat text into commands and runs them against the services."""

    def __init__(
        self,
        services: Services,
        commands: Iterable[Command[Any]],
        settings: ChatSettings,
        monotonic: Callable[[], float],
    ) -> None:
        self._services = services
        self._settings = settings
        self._commands: dict[str, Command[Any]] = {}
        help_command = Command(
            "help", "help", "list the commands you can use", no_arguments, self._help, aliases=("commands",)
        )
        for command in (*commands, help_command):
            for name in (command.name, *command.aliases):
                if name in self._commands:
                    raise ValueError(f"two chat commands are called {name!r}")
                self._commands[name] = command
        window = settings.cooldown_seconds
        too_fast = "Slow down: try again in {seconds} seconds."
        self._limiter = RateLimiter(settings.commands_per_cooldown, window, monotonic, too_fast)
        # One throttle notice per user per cooldown: the rest of a flood gets silence.
        self._notices = RateLimiter(1, window, monotonic, "")

    @property
    def prefix(self) -> str:
        """What a chat command starts with (``/`` works too)."""
        return self._settings.prefix

    @property
    def commands(self) -> Sequence[Command[Any]]:
        """Every command once, in the order they were given."""
        return list(dict.fromkeys(self._commands.values()))

    def available_to(self, role: Role) -> list[Command[Any]]:
        """The commands a user with this role may run, as ``help`` lists them (``host_only`` is only this hint)."""
        return [command for command in self.commands if role is Role.HOST or not command.host_only]

    def parse(self, text: str) -> tuple[Command[Any], str] | None:
        """The command a message asks for and the text after its name, or None for plain chat."""
        prefix = self._settings.prefix
        text = text[:MAX_TEXT].strip()
        if not text.startswith((prefix, "/")):
            return None
        body = text[1 if text.startswith("/") else len(prefix) :]
        words = body.split(maxsplit=2)
        # "! wow" is an exclamation: the name must follow the prefix at once.
        if not words or body[0].isspace():
            return None
        pair = " ".join(words[:2]).casefold()
        if len(words) >= 2 and pair in self._commands:
            return self._commands[pair], words[2] if len(words) > 2 else ""
        command = self._commands.get(words[0].casefold())
        if command is None:
            return None
        # The arguments keep their own spacing (a poker story, a note).
        rest = body.split(maxsplit=1)
        return command, rest[1] if len(rest) > 1 else ""

    def command(self, name: str) -> Command[Any]:
        """The command called ``name``; NotFound if there is none."""
        command = self._commands.get(name.casefold())
        if command is None:
            raise NotFound(f"There is no command called {name}. Try {self._settings.prefix}help")
        return command

    async def on_message(self, message: ChatMessage) -> Reply | None:
        """Answer one chat message: count a vote in it, run the command it holds, or nothing."""
        parsed = self.parse(message.text)
        if parsed is None:
            return await self._vote(message)
        command, text = parsed
        return await self._run(message, command, lambda: command.arguments(text, self.prefix))

    async def run_parsed(self, message: ChatMessage, command: Command[A], arguments: A) -> Reply | None:
        """Run a command with arguments already typed. None means the asker is throttled and was already told so.

        The command is run as this layer has it under its name (NotFound if it has none).
        """
        return await self._run(message, self.command(command.name), lambda: arguments)

    async def _run(self, message: ChatMessage, command: Command[A], arguments: Callable[[], A]) -> Reply | None:
        # The arguments are read only once the asker is let in: a flood of bad ones is throttled too.
        if not self._admit(message):
            return None
        invocation = Invocation(message, self._services, self.prefix)
        try:
            reply = await command.handler(invocation, arguments())
        except NotHost:
            raise NotHost(f"Only a host can use {self.prefix}{command.name}") from None
        return self._fitted(message, reply)

    async def _help(self, invocation: Invocation, _: NoArguments) -> Reply:
        prefix = self._settings.prefix
        lines = [
            f"{prefix}{command.usage}: {command.summary}" for command in self.available_to(invocation.message.role)
        ]
        return Reply(public="Commands: " + " | ".join(lines))

    async def _vote(self, message: ChatMessage) -> Reply | None:
        outcome = await self._services.votes.chat_message(
            message.community, message.author.name, message.text[:MAX_TEXT], message.sent_at
        )
        if outcome is not ChatVoteOutcome.COUNTED:
            return None
        try:
            self._limiter.hit(self._key(message))
        except RateLimited:
            return None
        return Reply(reaction=_VOTE_REACTION)

    def _admit(self, message: ChatMessage) -> bool:
        key = self._key(message)
        try:
            self._limiter.hit(key)
        except RateLimited as throttled:
            try:
                self._notices.hit(key)
            except RateLimited:
                return False
            raise throttled from None
        return True

    def _key(self, message: ChatMessage) -> tuple[str, int, str]:
        return (message.platform.value, message.community.id, message.author.id)

    def _fitted(self, message: ChatMessage, reply: Reply) -> Reply:
        limit = REPLY_LIMITS[message.platform]
        return Reply(
            public=None if reply.public is None else fit(reply.public, limit),
            private=None if reply.private is None else fit(reply.private, limit),
            reaction=reply.reaction,
            choices=reply.choices,
            choice_command=reply.choice_command,
        )
