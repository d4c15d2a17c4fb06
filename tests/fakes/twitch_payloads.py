"""The fake Twitch's records (users, what the bot sent) and the JSON shapes it sends.

The shapes (Helix users, EventSub subscriptions, websocket messages) follow the Twitch API reference closely
enough for twitchio 3 to parse them; ``fake_twitch`` fills them in.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# A word starting with "@" names a user; Twitch turns the known ones into mention fragments.
_MENTION = re.compile(r"@(\w+)")


def timestamp() -> str:
    """Now, in the RFC 3339 form Twitch uses (microseconds, so Python 3.11 ``fromisoformat`` reads it)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class FakeUser:
    """A Twitch account known to the fake."""

    id: str
    login: str
    display_name: str


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received; ``auth_user_id`` is None for an app token or no token."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    auth_user_id: str | None


@dataclass(frozen=True)
class SentChatMessage:
    """A ``POST /helix/chat/messages`` the fake accepted."""

    broadcaster_id: str
    sender_id: str
    message: str
    reply_parent_message_id: str | None
    message_id: str
    auth_user_id: str | None


@dataclass(frozen=True)
class SentWhisper:
    """A ``POST /helix/whispers`` the fake accepted."""

    from_user_id: str
    to_user_id: str
    message: str


@dataclass(frozen=True)
class Subscription:
    """An EventSub subscription the bot created over Helix, bound to one websocket session."""

    id: str
    type: str
    version: str
    condition: dict[str, str]
    session_id: str
    user_id: str
    created_at: str = field(default_factory=timestamp)


def new_id() -> str:
    """A fresh Twitch-style UUID."""
    return str(uuid.uuid4())


def user_json(user: FakeUser, base_url: str) -> dict[str, Any]:
    """One entry of ``GET /helix/users``."""
    return {
        "id": user.id,
        "login": user.login,
        "display_name": user.display_name,
        "type": "",
        "broadcaster_type": "",
        "description": "",
        "profile_image_url": f"{base_url}/static/{user.login}.png",
        "offline_image_url": "",
        "view_count": 0,
        "created_at": "2020-01-01T00:00:00Z",
    }


def subscription_json(sub: Subscription) -> dict[str, Any]:
    """A subscription as Helix and EventSub describe it."""
    return {
        "id": sub.id,
        "status": "enabled",
        "type": sub.type,
        "version": sub.version,
        "condition": sub.condition,
        "created_at": sub.created_at,
        "transport": {"method": "websocket", "session_id": sub.session_id, "connected_at": sub.created_at},
        "cost": 0,
    }


def message(message_type: str, payload: dict[str, Any], sub: Subscription | None = None) -> dict[str, Any]:
    """A websocket message: metadata plus payload."""
    metadata: dict[str, Any] = {"message_id": new_id(), "message_type": message_type, "message_timestamp": timestamp()}
    if sub is not None:
        metadata["subscription_type"] = sub.type
        metadata["subscription_version"] = sub.version
    return {"metadata": metadata, "payload": payload}


def welcome_payload(session_id: str, keepalive_seconds: int) -> dict[str, Any]:
    """The payload of ``session_welcome``."""
    return {
        "session": {
            "id": session_id,
            "status": "connected",
            "connected_at": timestamp(),
            "keepalive_timeout_seconds": keepalive_seconds,
            "reconnect_url": None,
            "recovery_url": None,
        }
    }


def fragments(text: str, users_by_login: dict[str, FakeUser]) -> list[dict[str, Any]]:
    """Split chat text into text and mention fragments, as Twitch does for ``@login`` of a known user."""
    parts: list[dict[str, Any]] = []
    position = 0
    for match in _MENTION.finditer(text):
        user = users_by_login.get(match.group(1).lower())
        if user is None:
            continue
        if match.start() > position:
            parts.append(_fragment("text", text[position : match.start()]))
        mention = {"user_id": user.id, "user_login": user.login, "user_name": user.display_name}
        parts.append(_fragment("mention", match.group(0), mention=mention))
        position = match.end()
    if position < len(text):
        parts.append(_fragment("text", text[position:]))
    return parts


def _fragment(kind: str, text: str, *, mention: dict[str, str] | None = None) -> dict[str, Any]:
    return {"type": kind, "text": text, "cheermote": None, "emote": None, "mention": mention}


@dataclass(frozen=True)
class ChatLine:
    """A chat message as it travels through the fake: who said what, where, with which badges."""

    message_id: str
    broadcaster: FakeUser
    chatter: FakeUser
    text: str
    badges: tuple[str, ...]
    reply_to: "ChatLine | None" = None


def chat_event(line: ChatLine, users_by_login: dict[str, FakeUser]) -> dict[str, Any]:
    """The ``event`` of a ``channel.chat.message`` notification."""
    reply = None
    if line.reply_to is not None:
        parent = line.reply_to
        reply = {
            "parent_message_id": parent.message_id,
            "parent_message_body": parent.text,
            "parent_user_id": parent.chatter.id,
            "parent_user_login": parent.chatter.login,
            "parent_user_name": parent.chatter.display_name,
            "thread_message_id": parent.message_id,
            "thread_user_id": parent.chatter.id,
            "thread_user_login": parent.chatter.login,
            "thread_user_name": parent.chatter.display_name,
        }
    return {
        "broadcaster_user_id": line.broadcaster.id,
        "broadcaster_user_login": line.broadcaster.login,
        "broadcaster_user_name": line.broadcaster.display_name,
        "chatter_user_id": line.chatter.id,
        "chatter_user_login": line.chatter.login,
        "chatter_user_name": line.chatter.display_name,
        "message_id": line.message_id,
        "message": {"text": line.text, "fragments": fragments(line.text, users_by_login)},
        "color": "#1E90FF",
        "badges": [{"set_id": badge, "id": "1", "info": ""} for badge in line.badges],
        "message_type": "text",
        "cheer": None,
        "reply": reply,
        "channel_points_custom_reward_id": None,
        "channel_points_animation_id": None,
        "source_broadcaster_user_id": None,
        "source_broadcaster_user_login": None,
        "source_broadcaster_user_name": None,
        "source_message_id": None,
        "source_badges": None,
        "is_source_only": None,
    }


def whisper_event(whisper_id: str, sender: FakeUser, recipient: FakeUser, text: str) -> dict[str, Any]:
    """The ``event`` of a ``user.whisper.message`` notification."""
    return {
        "from_user_id": sender.id,
        "from_user_login": sender.login,
        "from_user_name": sender.display_name,
        "to_user_id": recipient.id,
        "to_user_login": recipient.login,
        "to_user_name": recipient.display_name,
        "whisper_id": whisper_id,
        "whisper": {"text": text},
    }
