"""What the chat adapters hand to the command layer, and what they get back."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeAlias, TypeVar

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Community, Platform, Principal, Provider, Role
from tallybot.core.services import Services

# Longest reply each platform accepts in one message.
REPLY_LIMITS = {Platform.DISCORD: 2000, Platform.TWITCH: 500, Platform.LOCAL: 2000}
_PROVIDERS = {Platform.DISCORD: Provider.DISCORD, Platform.TWITCH: Provider.TWITCH, Platform.LOCAL: Provider.CONSOLE}


def provider_for(platform: Platform) -> Provider:
    """The identity provider of a chat platform (the local console has its own)."""
    return _PROVIDERS[platform]


@dataclass(frozen=True)
class ChatUser:
    """A chat user as the platform knows them: a stable id and the name shown in chat."""

    id: str
    name: str


# Someone a command's arguments name: the user the platform resolved (a Discord user option),
# or what was typed in chat (``@name``, ``name``, ``<@123>``); ``mentions.resolve_mention`` finds either.
Mention: TypeAlias = ChatUser | str


@dataclass(frozen=True)
class ChatMessage:
    """One chat message (or slash command), already translated out of the platform's types.

    ``mentions`` holds the users the platform itself resolved in the text (Discord's
    ``<@id>``, Twitch's mention fragments), so ``@name`` works the same everywhere.
    """

    platform: Platform
    community: Community
    channel_id: str
    author: ChatUser
    role: Role
    text: str
    sent_at: datetime
    mentions: tuple[ChatUser, ...] = ()

    @property
    def principal(self) -> Principal:
        """The person typing, as the services take a caller.

        That is their chat identity and the role the platform gives them in this community
        (``role``: host for Discord's manage-server permission or a Twitch broadcaster or
        moderator badge, else member). The services, not the chat layer, decide what it may do.
        """
        label = f"{provider_for(self.platform).value}:{self.author.id}"
        return Principal(label=label, roles={self.community.id: self.role})


@dataclass(frozen=True)
class Reply:
    """What the adapter should do in answer.

    ``public`` goes to the channel, ``private`` to the author alone (a Discord DM or
    ephemeral reply, a Twitch whisper), and ``reaction`` is an emoji on the message where
    the platform has reactions (elsewhere the adapter may send it as a short line).
    ``choices`` offers buttons where the platform has them (the poker cards on Discord):
    pressing one runs ``choice_command`` with the choice as its argument.
    """

    public: str | None = None
    private: str | None = None
    reaction: str | None = None
    choices: tuple[str, ...] = ()
    choice_command: str | None = None


@dataclass(frozen=True)
class Invocation:
    """A command being run: who asked, where, and with which services.

    ``prefix`` is the configured command prefix, for replies that name another command.
    """

    message: ChatMessage
    services: Services
    prefix: str = "!"


@dataclass(frozen=True)
class CommandText:
    """The chat text after a command's name, as its parser gets it.

    ``usage`` is the command's usage line, with the prefix (``!night add <title> [room code]``),
    which a parser shows when the text does not fit.
    """

    text: str
    usage: str

    def wrong(self) -> Invalid:
        """The refusal of text that does not fit the command: its usage line."""
        return Invalid(f"Usage: {self.usage}")

    def required(self) -> str:
        """The text, which must not be empty."""
        if not self.text:
            raise self.wrong()
        return self.text

    def optional(self) -> str | None:
        """The text, None if empty."""
        return self.text or None


@dataclass(frozen=True)
class NoArguments:
    """The arguments of a command that takes none; chat text after its name is ignored."""


def no_arguments(text: CommandText) -> NoArguments:
    """The parser of a command that takes no arguments."""
    return NoArguments()


A = TypeVar("A")


@dataclass(frozen=True)
class Command(Generic[A]):
    """One chat command, whose typed arguments are an ``A``.

    ``name`` may be two words (``"night start"``) for a group's subcommand. ``parse`` reads
    chat text into the arguments (raising Invalid, usually ``text.wrong()``); a platform
    that has typed options (Discord's slash commands) builds them itself. ``handler``
    runs the command. ``choice`` makes the arguments from one of a reply's ``choices``
    (a pressed button) for a command that offers them.

    ``host_only`` only tells ``help`` whom to list the command for: the services it calls
    decide who may run it.
    """

    name: str
    usage: str
    summary: str
    parse: Callable[[CommandText], A]
    handler: Callable[[Invocation, A], Awaitable[Reply]]
    host_only: bool = False
    aliases: tuple[str, ...] = ()
    private: bool = False
    choice: Callable[[str], A] | None = None

    def arguments(self, text: str, prefix: str) -> A:
        """The arguments that chat text after the command's name stands for."""
        return self.parse(CommandText(text, f"{prefix}{self.usage}"))

    def chosen(self, choice: str) -> A:
        """The arguments that one of a reply's choices (a pressed button) stands for."""
        if self.choice is None:
            raise NotFound(f"{self.name} offers no choices")
        return self.choice(choice)
