"""Helpers for the chat tests: messages as an adapter would build them, and a layer to send them to."""

from collections.abc import Callable, Sequence

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.commands.types import ChatMessage, ChatUser, Reply
from tallybot.core.models import Community, Platform, Role
from tallybot.core.services import Services
from tallybot.settings import ChatSettings


def chat_layer(
    services: Services, monotonic: Callable[[], float], settings: ChatSettings | None = None
) -> ChatCommands:
    """The command layer with every feature's commands, as ``serve()`` builds it."""
    return ChatCommands(services, all_commands(), settings or ChatSettings(), monotonic)


class ChatDriver:
    """Sends chat messages to the layer as one platform's adapter would.

    Users are named by their chat name; their id is the name in lower case.
    """

    def __init__(
        self,
        services: Services,
        chat: ChatCommands,
        *,
        platform: Platform = Platform.LOCAL,
        community: Community | None = None,
        channel_id: str = "general",
    ) -> None:
        self.services = services
        self.chat = chat
        self.platform = platform
        self.community = community or services.default_community
        self.channel_id = channel_id

    def message(
        self, text: str, user: str = "alice", role: Role = Role.MEMBER, mentions: Sequence[str] = ()
    ) -> ChatMessage:
        """A message from ``user`` sent now (by the services' clock)."""
        return ChatMessage(
            platform=self.platform,
            community=self.community,
            channel_id=self.channel_id,
            author=ChatUser(user.lower(), user),
            role=role,
            text=text,
            sent_at=self.services.clock(),
            mentions=tuple(ChatUser(name.lower(), name) for name in mentions),
        )

    async def say(
        self, text: str, user: str = "alice", role: Role = Role.MEMBER, mentions: Sequence[str] = ()
    ) -> Reply | None:
        """Send a message through ``on_message`` and return the reply."""
        return await self.chat.on_message(self.message(text, user, role, mentions))

    async def host(self, text: str, user: str = "hana") -> Reply | None:
        """Send a message as a host."""
        return await self.say(text, user, Role.HOST)
