"""Commands whispered to the bot: a poker card sent this way stays out of the channel altogether.

A whisper has no channel and no badges. It acts in the channel where its sender last spoke
(with the role they had there), or in the bot's only channel; it is answered by whisper.
"""

# twitchio's listener decorator is annotated as returning Any.
# mypy: disable-error-code="untyped-decorator"

import twitchio
from twitchio.ext import commands

from tallybot.bot.commands.types import ChatMessage, ChatUser, Reply
from tallybot.bot.components.relay import Answering
from tallybot.bot.components.replies import error_text
from tallybot.core.models import Platform, Role

NO_CHANNEL = "Say something in the channel first, so that I know which one you mean."


def _answer_text(reply: Reply) -> str | None:
    # One whisper back: the private part if there is one (it says more), else what the channel would hear.
    return reply.private or reply.public or reply.reaction


class WhisperRelay(Answering):
    """Hands whispers to the command layer as messages from the sender's channel, and whispers the answer."""

    @commands.Component.listener()
    async def event_message_whisper(self, whisper: twitchio.Whisper) -> None:
        """Run a whispered command (or count a whispered vote) and whisper back the answer."""
        sent_at = self._clock()
        if self._closing or whisper.sender.id == self._bot_id:
            return
        place = self._place(whisper.sender.id)
        if place is None:
            await self._replies.whisper(whisper.sender, NO_CHANNEL)
            return
        broadcaster_id, role = place
        sender = whisper.sender
        message = ChatMessage(
            platform=Platform.TWITCH,
            community=self._communities[broadcaster_id],
            channel_id=broadcaster_id,
            author=ChatUser(sender.id, sender.display_name or sender.name or sender.id),
            role=role,
            text=whisper.text,
            sent_at=sent_at,
        )
        await self._tracked(self._answer(sender, message))

    def _place(self, chatter_id: str) -> tuple[str, Role] | None:
        seen = self._seen.get(chatter_id)
        if seen is not None and seen[0] in self._communities:
            return seen
        if len(self._communities) == 1:
            return next(iter(self._communities)), Role.MEMBER
        return None

    async def _answer(self, sender: twitchio.PartialUser, message: ChatMessage) -> None:
        try:
            reply = await self._chat.on_message(message)
        except Exception as error:
            await self._replies.whisper(sender, error_text(error))
            return
        text = None if reply is None else _answer_text(reply)
        if text is not None:
            await self._replies.whisper(sender, text)
