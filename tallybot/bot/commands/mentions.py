"""Who a chat message is from, and who it names: one ``@name`` syntax on every platform.

A mention (``types.Mention``) is the user a platform resolved itself (a Discord user
option), or typed text: ``@name`` (any case), or Discord's ``<@123>`` / ``<@!123>``. Text is
looked up first among the users the platform resolved in the message, then among the
people tallybot has seen on that platform under that name.
"""

import re

from tallybot.bot.commands.types import ChatUser, Invocation, Mention, provider_for
from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Person

_PLATFORM_MENTION = re.compile(r"<@!?([0-9]{1,25})>")
_NAME = re.compile(r"@?([^\s@<>]{1,100})")


async def asker(invocation: Invocation) -> Person:
    """The person who sent the message, created on first sight, with their role kept current."""
    message = invocation.message
    return await invocation.services.accounts.chat_person(
        message.community, provider_for(message.platform), message.author.id, message.author.name, message.role
    )


def _mentioned(invocation: Invocation, text: str) -> ChatUser | None:
    platform_id = _PLATFORM_MENTION.fullmatch(text)
    name = _NAME.fullmatch(text)
    for user in invocation.message.mentions:
        if platform_id is not None and user.id == platform_id.group(1):
            return user
        if name is not None and user.name.casefold() == name.group(1).casefold():
            return user
    return None


async def resolve_mention(invocation: Invocation, mention: Mention) -> Person:
    """The person a mention in a command's arguments stands for: a platform's user, or ``@name``, ``name``, ``<@123>``.

    Raises NotFound for a name tallybot has never seen on this platform, and Invalid for
    text that is no mention at all.
    """
    message = invocation.message
    services = invocation.services
    provider = provider_for(message.platform)
    word = "" if isinstance(mention, ChatUser) else mention.strip()
    user = mention if isinstance(mention, ChatUser) else _mentioned(invocation, word)
    if user is not None:
        return await services.chat.mentioned_person(message.community, provider, user.id, user.name)
    if _PLATFORM_MENTION.fullmatch(word):
        raise NotFound(f"I can't tell who {word} is: write @name")
    name = _NAME.fullmatch(word)
    if name is None:
        raise Invalid(f"{word[:100]!r} is not a mention of someone: write @name")
    return await services.chat.person_named(message.community, provider, name.group(1))
