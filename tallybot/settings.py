"""Typed, frozen settings loaded from bot.toml, with TALLYBOT_* environment overrides.

Every key of every section is declared here, with its type and default. An unknown key,
a wrong type or a bad value stops start-up with one line naming the key.
"""

import dataclasses
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# What a browser sends as Origin: scheme://host[:port], with no path (https://app.example, app://local).
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+", re.IGNORECASE)


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the key."""


@dataclass(frozen=True)
class ApiSettings:
    """[api]: the embedded HTTP server."""

    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1024 * 1024
    admin_keys: tuple[str, ...] = ()
    read_timeout_seconds: float = 30.0
    poker_sessions_per_hour: int = 60
    # Origins whose browser pages may call the API; "*" lets every origin in, without credentials.
    cors_origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class StorageSettings:
    """[storage]: where the SQLite file lives."""

    path: str = "tallybot.db"


@dataclass(frozen=True)
class CommunitySettings:
    """[community]: the local default community served by the plain spec paths."""

    name: str = "default"


@dataclass(frozen=True)
class EmailSettings:
    """[email]: how mail goes out. ``outbox`` appends to a local file; ``smtp`` sends it."""

    mode: Literal["outbox", "smtp"] = "outbox"
    outbox_path: str = "mail-outbox.txt"
    host: str = "localhost"
    port: int = 587
    sender: str = "tallybot@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = True
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class AccountSettings:
    """[accounts]: session lifetime, confirmation codes and brute-force limits."""

    session_ttl_hours: int = 24 * 30
    code_ttl_hours: int = 72
    max_code_attempts: int = 5
    attempts_per_address: int = 30
    attempts_per_account: int = 10
    attempt_window_seconds: int = 900


@dataclass(frozen=True)
class DiscordSettings:
    """[discord]: the Discord adapter starts when a token is set."""

    token: str = ""
    # The Discord application's OAuth2 client, for signing in to the coffee scoreboard.
    oauth_client_id: str = ""
    oauth_client_secret: str = ""
    oauth_redirect_uri: str = ""
    oauth_authorize_url: str = "https://discord.com/oauth2/authorize"
    oauth_token_url: str = "https://discord.com/api/oauth2/token"  # noqa: S105 (a URL, not a secret)
    oauth_user_url: str = "https://discord.com/api/users/@me"


@dataclass(frozen=True)
class TwitchSettings:
    """[twitch]: the Twitch adapter starts when client id, secret and bot id are set."""

    client_id: str = ""
    client_secret: str = ""
    bot_id: str = ""
    # Broadcaster logins or (all digits) user ids whose chat the bot joins; empty: the bot account's own.
    channels: tuple[str, ...] = ()
    # Encrypts the Twitch tokens stored in the database; empty stores them unencrypted.
    token_key: str = ""
    # Signing in to the coffee scoreboard uses the same client id and secret.
    oauth_redirect_uri: str = ""
    oauth_authorize_url: str = "https://id.twitch.tv/oauth2/authorize"
    oauth_token_url: str = "https://id.twitch.tv/oauth2/token"  # noqa: S105 (a URL, not a secret)
    oauth_user_url: str = "https://api.twitch.tv/helix/users"


@dataclass(frozen=True)
class GithubSettings:
    """[github]: the GitHub OAuth app people sign in to the coffee scoreboard with."""

    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""
    authorize_url: str = "https://github.com/login/oauth/authorize"
    token_url: str = "https://github.com/login/oauth/access_token"  # noqa: S105 (a URL, not a secret)
    user_url: str = "https://api.github.com/user"
    api_url: str = "https://api.github.com"


@dataclass(frozen=True)
class WebhookSettings:
    """[webhooks]: outbound deliveries."""

    allow_private: bool = False
    timeout_seconds: float = 10.0
    max_attempts: int = 10
    backoff_seconds: float = 10.0
    max_backoff_seconds: float = 3600.0


@dataclass(frozen=True)
class EventSettings:
    """[events]: the live WebSocket and SSE event streams."""

    idle_timeout_seconds: float = 60.0
    heartbeat_seconds: float = 15.0


@dataclass(frozen=True)
class GamenightSettings:
    """[gamenight]: the room monitor's view of Jackbox's ecast service."""

    ecast_base_url: str = "https://ecast.jackboxgames.com"
    # "ws" only for a fake ecast on loopback; the real one speaks wss.
    ecast_socket_scheme: Literal["wss", "ws"] = "wss"


@dataclass(frozen=True)
class OverlaySettings:
    """[overlays]: who may read the stream overlays and the dashboard's community details."""

    # Community slugs whose overlays anyone may read; the others need a viewer token.
    public_communities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChatSettings:
    """[chat]: how the chat command layer reads commands and throttles a flood."""

    prefix: str = "!"
    cooldown_seconds: float = 10.0
    commands_per_cooldown: int = 5


@dataclass(frozen=True)
class Settings:
    """Everything bot.toml can say."""

    api: ApiSettings = field(default_factory=ApiSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    community: CommunitySettings = field(default_factory=CommunitySettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    twitch: TwitchSettings = field(default_factory=TwitchSettings)
    github: GithubSettings = field(default_factory=GithubSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    events: EventSettings = field(default_factory=EventSettings)
    gamenight: GamenightSettings = field(default_factory=GamenightSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    overlays: OverlaySettings = field(default_factory=OverlaySettings)


_POSITIVE = {
    ("api", "port"),
    ("api", "max_body_bytes"),
    ("api", "read_timeout_seconds"),
    ("api", "poker_sessions_per_hour"),
    ("email", "port"),
    ("accounts", "session_ttl_hours"),
    ("accounts", "code_ttl_hours"),
    ("accounts", "max_code_attempts"),
    ("accounts", "attempts_per_address"),
    ("accounts", "attempts_per_account"),
    ("accounts", "attempt_window_seconds"),
    ("webhooks", "timeout_seconds"),
    ("webhooks", "max_attempts"),
    ("webhooks", "backoff_seconds"),
    ("webhooks", "max_backoff_seconds"),
    ("events", "idle_timeout_seconds"),
    ("events", "heartbeat_seconds"),
    ("chat", "cooldown_seconds"),
    ("chat", "commands_per_cooldown"),
}


def _coerce(where: str, kind: Any, value: Any, from_env: bool) -> Any:
    origin = typing.get_origin(kind)
    if origin is Literal:
        choices = typing.get_args(kind)
        if value not in choices:
            raise SettingsError(f"{where}: must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return value
    if origin is tuple:
        if from_env:
            value = [part.strip() for part in str(value).split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise SettingsError(f"{where}: must be a list of strings")
        return tuple(value)
    if kind is bool:
        if from_env and str(value).lower() in {"true", "1", "yes", "false", "0", "no"}:
            return str(value).lower() in {"true", "1", "yes"}
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: must be true or false, not {value!r}")
        return value
    if kind in (int, float):
        try:
            number = kind(value) if from_env else value
        except ValueError:
            number = None
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or (kind is int and isinstance(number, float))
        ):
            raise SettingsError(f"{where}: must be a {'whole ' if kind is int else ''}number, not {value!r}")
        return kind(number)
    if not isinstance(value, str):
        raise SettingsError(f"{where}: must be a string, not {value!r}")
    return value


def _section(name: str, cls: type[Any], raw: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise SettingsError(f"[{name}] {key}: unknown key (known keys: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for key in known:
        env_name = f"TALLYBOT_{name.upper()}_{key.upper()}"
        if env_name in env:
            values[key] = _coerce(f"{env_name} (for [{name}] {key})", hints[key], env[env_name], from_env=True)
        elif key in raw:
            values[key] = _coerce(f"[{name}] {key}", hints[key], raw[key], from_env=False)
        else:
            continue
        if (name, key) in _POSITIVE and not values[key] > 0:
            raise SettingsError(f"[{name}] {key}: must be greater than 0")
    return cls(**values)


def _validate(settings: Settings) -> None:
    if not 0 < settings.api.port < 65536:
        raise SettingsError(f"[api] port: must be from 1 to 65535, not {settings.api.port}")
    if not settings.storage.path:
        raise SettingsError("[storage] path: must not be empty")
    if not settings.community.name.strip():
        raise SettingsError("[community] name: must not be empty")
    if settings.email.mode == "smtp" and not settings.email.host:
        raise SettingsError("[email] host: required when mode is 'smtp'")
    if any(len(key) < 16 for key in settings.api.admin_keys):
        raise SettingsError("[api] admin_keys: every key needs at least 16 characters")
    for origin in settings.api.cors_origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise SettingsError(
                f"[api] cors_origins: {origin!r} is not an origin (scheme://host[:port], with no path or "
                "trailing slash) nor '*'"
            )
    if settings.twitch.token_key and len(settings.twitch.token_key) < 32:
        raise SettingsError("[twitch] token_key: needs at least 32 characters (try `openssl rand -hex 32`)")
    prefix = settings.chat.prefix
    # A letter or a mention sign first would make ordinary chat (or a thisgame++ vote) a command.
    if not 1 <= len(prefix) <= 5 or any(c.isspace() for c in prefix) or prefix[0].isalnum() or prefix[0] == "@":
        raise SettingsError(f"[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not {prefix!r}")


def parse_settings(raw: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Build Settings from a parsed TOML document and the environment."""
    sections = {f.name: typing.get_type_hints(Settings)[f.name] for f in dataclasses.fields(Settings)}
    for name, value in raw.items():
        if name not in sections:
            raise SettingsError(f"[{name}]: unknown section (known sections: {', '.join(sections)})")
        if not isinstance(value, dict):
            raise SettingsError(f"[{name}]: must be a table")
    built = {name: _section(name, cls, raw.get(name, {}), env) for name, cls in sections.items()}
    settings = Settings(**built)
    _validate(settings)
    return settings


def load_settings(path: Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Read bot.toml (or only the defaults when ``path`` is None) and apply overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"{path}: no such file (run `tallybot init` to write one)") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    return parse_settings(raw, os.environ if env is None else env)
