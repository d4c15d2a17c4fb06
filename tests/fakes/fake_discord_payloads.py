"""The fake Discord's world (users, one guild) and the JSON payloads that describe it.

Payloads follow the Discord API v10 shapes that discord.py reads; keys discord.py
indexes directly (``flags`` on members, ``position`` on channels, ...) are always present.
"""

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

JSON = dict[str, Any]

TIMESTAMP = "2024-01-01T00:00:00+00:00"
EPHEMERAL = 64
MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    use_application_commands=True,
).value
HOST_PERMISSIONS = MEMBER_PERMISSIONS | discord.Permissions(manage_guild=True).value

_USER_MENTION = re.compile(r"<@!?(\d+)>")


@dataclass(frozen=True)
class FakeUser:
    """A Discord account. In the guild, a host holds the role with Manage Server."""

    id: int
    name: str
    host: bool = False
    bot: bool = False

    @property
    def mention(self) -> str:
        """How Discord writes a ping of this user in message content."""
        return f"<@{self.id}>"


@dataclass
class FakeGuild:
    """The one guild the bot is in: its text channels (id -> name) and its members."""

    id: int = 900_000_000_000_000_001
    name: str = "Tally Test Server"
    channels: dict[int, str] = field(
        default_factory=lambda: {900_000_000_000_000_101: "general", 900_000_000_000_000_102: "announcements"}
    )
    members: list[FakeUser] = field(default_factory=list)
    host_role_id: int = 900_000_000_000_000_201

    @property
    def first_channel_id(self) -> int:
        """The first text channel, where tests usually talk."""
        return next(iter(self.channels))


class Snowflakes:
    """Unique ids whose embedded time is now, so discord.py sees fresh interactions and messages."""

    def __init__(self) -> None:
        base = discord.utils.time_snowflake(datetime.now(UTC))
        self._counter = itertools.count(base)

    def next(self) -> int:
        """A new id, larger than every id handed out before."""
        return next(self._counter)


def user_payload(user: FakeUser) -> JSON:
    """A user object."""
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
    }


def permissions_of(user: FakeUser) -> int:
    """The guild-wide permissions of a member: @everyone's, plus Manage Server for hosts."""
    return HOST_PERMISSIONS if user.host else MEMBER_PERMISSIONS


def member_payload(guild: FakeGuild, user: FakeUser, *, with_user: bool = True) -> JSON:
    """A guild member object; ``with_user=False`` gives the partial member of MESSAGE_CREATE."""
    member: JSON = {
        "roles": [str(guild.host_role_id)] if user.host else [],
        "joined_at": TIMESTAMP,
        "nick": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if with_user:
        member["user"] = user_payload(user)
    return member


def channel_payload(guild: FakeGuild, channel_id: int) -> JSON:
    """A guild text channel object."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild.id),
        "name": guild.channels[channel_id],
        "position": list(guild.channels).index(channel_id),
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def dm_channel_payload(channel_id: int, user: FakeUser) -> JSON:
    """A direct-message channel object with one recipient."""
    return {"id": str(channel_id), "type": 1, "recipients": [user_payload(user)], "last_message_id": None, "flags": 0}


def guild_payload(guild: FakeGuild, bot: FakeUser) -> JSON:
    """The full GUILD_CREATE object: roles @everyone and Host, channels, members (the bot included)."""
    members = [*guild.members, bot]
    roles = [
        {"id": str(guild.id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS), "position": 0},
        {"id": str(guild.host_role_id), "name": "Host", "permissions": str(HOST_PERMISSIONS), "position": 1},
    ]
    for role in roles:
        role.update(color=0, hoist=False, managed=False, mentionable=False, flags=0)
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "owner_id": None,
        "unavailable": False,
        "large": False,
        "member_count": len(members),
        "joined_at": TIMESTAMP,
        "roles": roles,
        "channels": [channel_payload(guild, channel_id) for channel_id in guild.channels],
        "members": [member_payload(guild, member) for member in members],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "preferred_locale": "en-US",
        "premium_tier": 0,
    }


def message_payload(
    message_id: int,
    channel_id: int,
    author: FakeUser,
    body: JSON,
    *,
    guild: FakeGuild | None,
    known_users: dict[int, FakeUser],
) -> JSON:
    """A message object built from what its author sent; ``<@id>`` pings of known users become mentions."""
    content = str(body.get("content") or "")
    mentioned = [known_users[int(found)] for found in _USER_MENTION.findall(content) if int(found) in known_users]
    message: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": user_payload(author),
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": "@everyone" in content or "@here" in content,
        "mentions": [user_payload(user) for user in mentioned],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 19 if body.get("message_reference") else 0,
        "flags": int(body.get("flags") or 0),
    }
    if body.get("message_reference"):
        message["message_reference"] = body["message_reference"]
    if guild is not None:
        message["guild_id"] = str(guild.id)
        message["member"] = member_payload(guild, author, with_user=False)
    return message


def option_payloads(options: dict[str, Any], focused: str | None, guild: FakeGuild | None) -> tuple[list[JSON], JSON]:
    """Slash-command options typed from their Python values, and the ``resolved`` users they mention."""
    payloads: list[JSON] = []
    users: JSON = {}
    members: JSON = {}
    for name, value in options.items():
        option: JSON = {"name": name, "value": value}
        if isinstance(value, FakeUser):
            option.update(type=6, value=str(value.id))
            users[str(value.id)] = user_payload(value)
            if guild is not None:
                members[str(value.id)] = member_payload(guild, value, with_user=False)
        elif isinstance(value, bool):
            option["type"] = 5
        elif isinstance(value, int):
            option["type"] = 4
        elif isinstance(value, float):
            option["type"] = 10
        else:
            option.update(type=3, value=str(value))
        if name == focused:
            option.update(type=3, value=str(value), focused=True)
        payloads.append(option)
    return payloads, ({"users": users, "members": members} if users else {})
