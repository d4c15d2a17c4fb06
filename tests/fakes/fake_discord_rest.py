"""The fake Discord's REST API (``/api/v10``): it answers discord.py and records what the bot sent.

Every request needs ``Authorization: Bot <token>`` except interaction callbacks and
webhooks, which Discord authenticates by the token in the path. A request to a route
this fake does not know is recorded in ``Platform.unknown`` and answered 404.
"""

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.fake_discord_payloads import (
    EPHEMERAL,
    JSON,
    FakeGuild,
    FakeUser,
    Snowflakes,
    channel_payload,
    dm_channel_payload,
    member_payload,
    message_payload,
    user_payload,
)

API = "/api/v10"
_JSON_TYPE = {"Content-Type": "application/json"}
_log = logging.getLogger(__name__)


class UnknownChannel(LookupError):
    """A channel id that is neither one of the guild's channels nor an opened DM; REST answers it with a 404."""


@dataclass(frozen=True)
class SentMessage:
    """A message the bot posted or changed.

    ``kind`` is ``"message"`` (to a channel or DM), ``"response"`` (interaction response),
    ``"followup"``, ``"edit"`` (of a channel message or of an interaction's original
    response) or ``"update"`` (a component interaction answered by editing its message).
    """

    kind: str
    channel_id: int
    message_id: int
    content: str | None
    ephemeral: bool
    allowed_mentions: JSON | None
    components: list[JSON]
    embeds: list[JSON]
    flags: int
    interaction_id: int | None
    reply_to: int | None
    payload: JSON

    @property
    def custom_ids(self) -> list[str]:
        """The custom ids of every button or select in the message, in order."""
        rows = self.components
        return [str(item["custom_id"]) for row in rows for item in row.get("components", []) if "custom_id" in item]


@dataclass(frozen=True)
class InteractionCallback:
    """The bot's answer to an interaction: ``type`` 4 message, 5/6 defer, 7 update, 8 autocomplete, 9 modal."""

    interaction_id: int
    type: int
    data: JSON


@dataclass(frozen=True)
class Reaction:
    """A reaction the bot added to a message."""

    channel_id: int
    message_id: int
    emoji: str


@dataclass
class Interaction:
    """An interaction the fake dispatched, found again by its token."""

    id: int
    channel_id: int
    message_id: int | None
    original_id: int | None = None
    ephemeral: bool = False


@dataclass
class Platform:
    """Everything the fake knows and everything the bot did to it."""

    guild: FakeGuild
    bot: FakeUser
    token: str
    ids: Snowflakes = field(default_factory=Snowflakes)
    gateway_url: str = ""
    dm_channels: dict[int, int] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    interactions: dict[str, Interaction] = field(default_factory=dict)
    commands: dict[int | None, list[JSON]] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    callbacks: list[InteractionCallback] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def users(self) -> dict[int, FakeUser]:
        """Every account the fake knows, by id: the guild's members and the bot."""
        return {user.id: user for user in [*self.guild.members, self.bot]}

    def dm_channel_id(self, user_id: int) -> int:
        """The direct-message channel with a user, opened on first use."""
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = self.ids.next()
        return self.dm_channels[user_id]

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        """The guild a channel belongs to; None for a DM channel. Unknown channels are a 404."""
        if channel_id in self.guild.channels:
            return self.guild
        if channel_id in self.dm_channels.values():
            return None
        raise UnknownChannel(channel_id)

    def store_message(self, channel_id: int, author: FakeUser, body: JSON, message_id: int | None = None) -> JSON:
        """Keep a message (new, or replacing ``message_id``) so it can be fetched, edited or clicked."""
        guild = self.guild_of(channel_id)
        message_id = message_id or self.ids.next()
        message = message_payload(message_id, channel_id, author, body, guild=guild, known_users=self.users)
        self.messages[message_id] = message
        return message

    async def record(self, kind: str, message: JSON, body: JSON, interaction_id: int | None = None) -> SentMessage:
        """Remember a message the bot sent and wake whoever waits for it."""
        flags = int(body.get("flags") or message["flags"])
        sent = SentMessage(
            kind=kind,
            channel_id=int(message["channel_id"]),
            message_id=int(message["id"]),
            content=body.get("content"),
            ephemeral=bool(flags & EPHEMERAL),
            allowed_mentions=body.get("allowed_mentions"),
            components=body.get("components") or [],
            embeds=body.get("embeds") or [],
            flags=flags,
            interaction_id=interaction_id,
            reply_to=_reference(body),
            payload=body,
        )
        self.sent.append(sent)
        await self.notify()
        return sent

    async def notify(self) -> None:
        """Wake every waiter so it looks at the records again."""
        async with self.changed:
            self.changed.notify_all()


def _reference(body: JSON) -> int | None:
    reference = body.get("message_reference")
    return int(reference["message_id"]) if reference else None


def _json(data: Any, status: int = 200) -> web.Response:
    """A JSON answer typed exactly ``application/json``: discord.py parses nothing else (no charset!)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers=_JSON_TYPE)


class NotFoundError(LookupError):
    """Discord's 404: a JSON error with its numeric code (10003 Unknown Channel, ...), answered by ``guard``."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _not_found(message: str, code: int) -> NotFoundError:
    # Not web.HTTPNotFound: aiohttp deprecates its body argument, and its text would add a charset.
    return NotFoundError(message, code)


def _id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


async def _body(request: web.Request) -> JSON:
    """A JSON body, or the ``payload_json`` part of a multipart body (messages with files)."""
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        body: JSON = json.loads(str(form["payload_json"]))
        return body
    if not request.can_read_body:
        return {}
    data: JSON = await request.json()
    return data


def build_rest_app(platform: Platform) -> web.Application:
    """The REST routes of the fake, with token checks and loud 404s for routes it does not know."""
    routes = web.RouteTableDef()

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.match_info.http_exception is not None:
            line = f"{request.method} {request.path_qs}"
            _log.error("fake Discord got a request it does not know: %s", line)
            platform.unknown.append(line)
            return _json({"message": "404: Not Found", "code": 0}, status=404)
        needs_token = request.path.startswith(API) and not request.path.startswith(
            (f"{API}/interactions/", f"{API}/webhooks/")
        )
        if needs_token and request.headers.get("Authorization") != f"Bot {platform.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        try:
            response: web.StreamResponse = await handler(request)
        except UnknownChannel:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        except NotFoundError as missing:
            return _json({"message": missing.message, "code": missing.code}, status=404)
        return response

    @routes.get(f"{API}/gateway")
    async def gateway(request: web.Request) -> web.Response:
        return _json({"url": platform.gateway_url})

    @routes.get(f"{API}/gateway/bot")
    async def gateway_bot(request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": platform.gateway_url, "shards": 1, "session_start_limit": limit})

    @routes.get(f"{API}/users/@me")
    async def me(request: web.Request) -> web.Response:
        return _json({**user_payload(platform.bot), "verified": True, "mfa_enabled": False, "flags": 0})

    @routes.get(f"{API}/users/{{user_id:\\d+}}")
    async def user(request: web.Request) -> web.Response:
        found = platform.users.get(_id(request, "user_id"))
        if found is None:
            raise _not_found("Unknown User", 10013)
        return _json(user_payload(found))

    @routes.get(f"{API}/oauth2/applications/@me")
    async def application(request: web.Request) -> web.Response:
        owner = user_payload(FakeUser(id=1, name="owner"))
        info: JSON = {"id": str(platform.bot.id), "name": platform.bot.name, "description": "", "icon": None}
        info.update(bot_public=False, bot_require_code_grant=False, owner=owner, verify_key="00", flags=0)
        return _json({**info, "interactions_endpoint_url": None, "team": None})

    @routes.get(f"{API}/guilds/{{guild_id:\\d+}}/members/{{user_id:\\d+}}")
    async def member(request: web.Request) -> web.Response:
        found = platform.users.get(_id(request, "user_id"))
        if _id(request, "guild_id") != platform.guild.id or found is None:
            raise _not_found("Unknown Member", 10007)
        return _json(member_payload(platform.guild, found))

    @routes.post(f"{API}/users/@me/channels")
    async def open_dm(request: web.Request) -> web.Response:
        recipient = platform.users.get(int((await _body(request))["recipient_id"]))
        if recipient is None:
            raise _not_found("Unknown User", 10013)
        return _json(dm_channel_payload(platform.dm_channel_id(recipient.id), recipient))

    @routes.get(f"{API}/channels/{{channel_id:\\d+}}")
    async def channel(request: web.Request) -> web.Response:
        channel_id = _id(request, "channel_id")
        if platform.guild_of(channel_id) is not None:
            return _json(channel_payload(platform.guild, channel_id))
        user_id = next(user for user, dm in platform.dm_channels.items() if dm == channel_id)
        return _json(dm_channel_payload(channel_id, platform.users[user_id]))

    @routes.post(f"{API}/channels/{{channel_id:\\d+}}/typing")
    async def typing(request: web.Request) -> web.Response:
        platform.guild_of(_id(request, "channel_id"))
        return web.Response(status=204)

    @routes.post(f"{API}/channels/{{channel_id:\\d+}}/messages")
    async def send(request: web.Request) -> web.Response:
        body = await _body(request)
        message = platform.store_message(_id(request, "channel_id"), platform.bot, body)
        await platform.record("message", message, body)
        return _json(message)

    @routes.get(f"{API}/channels/{{channel_id:\\d+}}/messages/{{message_id:\\d+}}")
    async def fetch(request: web.Request) -> web.Response:
        found = platform.messages.get(_id(request, "message_id"))
        if found is None or int(found["channel_id"]) != _id(request, "channel_id"):
            raise _not_found("Unknown Message", 10008)
        return _json(found)

    @routes.patch(f"{API}/channels/{{channel_id:\\d+}}/messages/{{message_id:\\d+}}")
    async def edit(request: web.Request) -> web.Response:
        body = await _body(request)
        old = platform.messages.get(_id(request, "message_id"))
        if old is None:
            raise _not_found("Unknown Message", 10008)
        message = platform.store_message(int(old["channel_id"]), platform.bot, {**old, **body}, int(old["id"]))
        await platform.record("edit", message, body)
        return _json(message)

    @routes.delete(f"{API}/channels/{{channel_id:\\d+}}/messages/{{message_id:\\d+}}")
    async def delete(request: web.Request) -> web.Response:
        platform.deleted.append(_id(request, "message_id"))
        await platform.notify()
        return web.Response(status=204)

    @routes.put(f"{API}/channels/{{channel_id:\\d+}}/messages/{{message_id:\\d+}}/reactions/{{emoji}}/@me")
    async def react(request: web.Request) -> web.Response:
        channel_id, message_id = _id(request, "channel_id"), _id(request, "message_id")
        platform.guild_of(channel_id)
        platform.reactions.append(Reaction(channel_id, message_id, request.match_info["emoji"]))
        await platform.notify()
        return web.Response(status=204)

    @routes.post(f"{API}/interactions/{{interaction_id:\\d+}}/{{token}}/callback")
    async def callback(request: web.Request) -> web.Response:
        interaction = platform.interactions.get(request.match_info["token"])
        if interaction is None or interaction.id != _id(request, "interaction_id"):
            raise _not_found("Unknown interaction", 10062)
        body = await _body(request)
        kind, data = int(body["type"]), body.get("data") or {}
        platform.callbacks.append(InteractionCallback(interaction.id, kind, data))
        answer: JSON = {"id": str(interaction.id), "type": 2}
        result: JSON = {"interaction": answer}
        if kind in (4, 5):
            interaction.ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
            flags = int(data.get("flags") or 0) | (128 if kind == 5 else 0)
            message = platform.store_message(interaction.channel_id, platform.bot, {**data, "flags": flags})
            interaction.original_id = int(message["id"])
            answer.update(response_message_id=message["id"], response_message_ephemeral=interaction.ephemeral)
            answer["response_message_loading"] = kind == 5
            result["resource"] = {"type": kind, "message": message}
            if kind == 4:
                await platform.record("response", message, data, interaction.id)
        elif kind == 7 and interaction.message_id is not None:
            old = platform.messages[interaction.message_id]
            message = platform.store_message(interaction.channel_id, platform.bot, {**old, **data}, int(old["id"]))
            result["resource"] = {"type": kind, "message": message}
            await platform.record("update", message, data, interaction.id)
        await platform.notify()
        return _json(result)

    def interaction_of(request: web.Request) -> Interaction:
        found = platform.interactions.get(request.match_info["token"])
        if found is None or _id(request, "application_id") != platform.bot.id:
            raise _not_found("Unknown Webhook", 10015)
        return found

    def message_of(request: web.Request, interaction: Interaction) -> JSON:
        wanted = request.match_info["message_id"]
        message_id = interaction.original_id if wanted == "@original" else int(wanted)
        if message_id is None or message_id not in platform.messages:
            raise _not_found("Unknown Message", 10008)
        return platform.messages[message_id]

    webhook = f"{API}/webhooks/{{application_id:\\d+}}/{{token}}"

    @routes.post(webhook)
    async def followup(request: web.Request) -> web.Response:
        interaction = interaction_of(request)
        body = await _body(request)
        message = platform.store_message(interaction.channel_id, platform.bot, body)
        await platform.record("followup", message, body, interaction.id)
        return _json(message)

    @routes.get(f"{webhook}/messages/{{message_id}}")
    async def webhook_message(request: web.Request) -> web.Response:
        return _json(message_of(request, interaction_of(request)))

    @routes.patch(f"{webhook}/messages/{{message_id}}")
    async def webhook_edit(request: web.Request) -> web.Response:
        interaction = interaction_of(request)
        old = message_of(request, interaction)
        body = await _body(request)
        changed = {**old, **body, "flags": int(old["flags"]) & ~128}
        message = platform.store_message(interaction.channel_id, platform.bot, changed, int(old["id"]))
        await platform.record("edit", message, body, interaction.id)
        return _json(message)

    @routes.delete(f"{webhook}/messages/{{message_id}}")
    async def webhook_delete(request: web.Request) -> web.Response:
        platform.deleted.append(int(message_of(request, interaction_of(request))["id"]))
        await platform.notify()
        return web.Response(status=204)

    def commands_of(request: web.Request) -> int | None:
        if _id(request, "application_id") != platform.bot.id:
            raise _not_found("Unknown Application", 10002)
        return int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None

    async def put_commands(request: web.Request) -> web.Response:
        scope = commands_of(request)
        registered = []
        commands: list[JSON] = await request.json()
        for command in commands:
            found = next((c for c in platform.commands.get(scope, []) if c["name"] == command["name"]), None)
            command_id = found["id"] if found else str(platform.ids.next())
            registered.append({"type": 1, **command, "id": command_id, "application_id": str(platform.bot.id)})
            if scope is not None:
                registered[-1]["guild_id"] = str(scope)
        platform.commands[scope] = registered
        await platform.notify()
        return _json(registered)

    async def get_commands(request: web.Request) -> web.Response:
        return _json(platform.commands.get(commands_of(request), []))

    for path in (
        f"{API}/applications/{{application_id:\\d+}}",
        f"{API}/applications/{{application_id:\\d+}}/guilds/{{guild_id:\\d+}}",
    ):
        routes.put(f"{path}/commands")(put_commands)
        routes.get(f"{path}/commands")(get_commands)

    app = web.Application(middlewares=[guard])
    app.add_routes(routes)
    return app
