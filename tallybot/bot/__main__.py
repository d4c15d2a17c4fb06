"""The one place that wires tallybot together, and its command line.

``tallybot run`` loads the Settings, opens the database, builds the services, and runs
the HTTP API beside every chat adapter that has credentials, under one TaskGroup.
"""

import argparse
import asyncio
import contextlib
import logging
import random
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tallybot.api.app import create_app, runner_options
from tallybot.api.middlewares import AccessLogger
from tallybot.bot import twitch_auth
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.console import run_console
from tallybot.bot.discord_app import run_discord, sync_commands
from tallybot.bot.import_chat import import_chat_file, summary
from tallybot.bot.twitch_app import run_twitch, twitch_configured
from tallybot.core.accounts import (
    AccountLimits,
    AccountPolicy,
    AccountService,
    AdminAuthService,
    ChatService,
    CommunityService,
    LinkPolicy,
    Mailer,
    PlatformTokenService,
    TokenSealer,
)
from tallybot.core.adapters import AdapterStatusBoard
from tallybot.core.announcements import AnnouncementService
from tallybot.core.coffee import CoffeeService
from tallybot.core.errors import DomainError
from tallybot.core.events import DeliveryPolicy, EventStreams, InProcessEventBus, Sleep, WebhookSender, WebhookService
from tallybot.core.gamenight import (
    GameService,
    RoomMonitor,
    SessionService,
    TonightService,
    VoteService,
    load_catalogue,
)
from tallybot.core.models import Role
from tallybot.core.overlays import OverlayService
from tallybot.core.poker import PokerLimits, PokerService
from tallybot.core.ports import Clock
from tallybot.core.ratelimit import RateLimiter
from tallybot.core.services import Services
from tallybot.outbound.ecast import EcastClient
from tallybot.outbound.mail import build_mailer
from tallybot.outbound.oauth import build_oauth_client
from tallybot.outbound.webhooks import AiohttpWebhookSender
from tallybot.settings import Settings, SettingsError, load_settings
from tallybot.storage.db import SqliteDatabase
from tallybot.storage.migrations import available

log = logging.getLogger("tallybot")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Clock = _utcnow,
    monotonic: Callable[[], float] = time.monotonic,
    mailer: Mailer | None = None,
    sleep: Sleep = asyncio.sleep,
    webhook_sender: WebhookSender | None = None,
) -> AsyncIterator[Services]:
    """Open the database and build every service; closes the database on exit.

    ``webhook_sender`` replaces the HTTP sender of webhooks, for runs where nothing may leave the machine.
    """
    bus = InProcessEventBus()
    db = SqliteDatabase(Path(settings.storage.path), on_commit=bus.publish)
    await db.open()
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    hooks = settings.webhooks
    sender = AiohttpWebhookSender(hooks.timeout_seconds, hooks.allow_private)
    ecast = EcastClient(settings.gamenight.ecast_base_url, socket_scheme=settings.gamenight.ecast_socket_scheme)
    room_monitor = RoomMonitor(db, clock, ecast, bus)
    try:
        communities = CommunityService(db)
        accounts_settings = settings.accounts
        window = accounts_settings.attempt_window_seconds
        too_many = "Too many attempts. Try again in {seconds} seconds."
        limits = AccountLimits(
            per_address=RateLimiter(accounts_settings.attempts_per_address, window, monotonic, too_many),
            per_account=RateLimiter(accounts_settings.attempts_per_account, window, monotonic, too_many),
        )
        policy = AccountPolicy(
            session_ttl=timedelta(hours=accounts_settings.session_ttl_hours),
            code_ttl=timedelta(hours=accounts_settings.code_ttl_hours),
            max_code_attempts=accounts_settings.max_code_attempts,
        )
        accounts = AccountService(db, mailer or build_mailer(settings.email), clock, policy, limits)
        too_many_logins = "Too many login attempts. Try again in {seconds} seconds."
        admin_limits = AccountLimits(
            per_address=RateLimiter(accounts_settings.attempts_per_address, window, monotonic, too_many_logins),
            # Failed logins per community, so that many addresses together guess slowly too.
            per_account=RateLimiter(accounts_settings.attempts_per_account, window, monotonic, too_many_logins),
        )
        too_many_ids = "Too many unknown session ids. Try again in {seconds} seconds."
        too_many_sessions = "Too many new sessions from this address. Try again in {seconds} seconds."
        poker_limits = PokerLimits(
            guesses=RateLimiter(accounts_settings.attempts_per_address, window, monotonic, too_many_ids),
            openings=RateLimiter(settings.api.poker_sessions_per_hour, 3600, monotonic, too_many_sessions),
        )
        games = GameService(db, clock, random.SystemRandom())
        # Idempotent: only catalogue games missing from the database are inserted.
        await games.install_catalogue(load_catalogue())
        delivery = DeliveryPolicy(
            max_attempts=hooks.max_attempts,
            backoff=timedelta(seconds=hooks.backoff_seconds),
            max_backoff=timedelta(seconds=hooks.max_backoff_seconds),
        )
        webhooks = WebhookService(db, bus, webhook_sender or sender, clock, delivery, hooks.allow_private, sleep)
        # Adding a game with a room code starts a watch; removing the game ends it.
        room_monitor.listen()
        adapters = AdapterStatusBoard(clock)
        game_nights = SessionService(db, clock)
        votes = VoteService(db, clock)
        yield Services(
            clock=clock,
            bus=bus,
            communities=communities,
            accounts=accounts,
            admin_auth=AdminAuthService(accounts, settings.api.admin_keys, admin_limits, clock),
            games=games,
            game_nights=game_nights,
            room_monitor=room_monitor,
            votes=votes,
            coffee=CoffeeService(db, clock, accounts, build_oauth_client(settings, http), webhooks),
            poker=PokerService(db, clock, poker_limits),
            webhooks=webhooks,
            streams=EventStreams(db, bus, settings.events.idle_timeout_seconds, settings.events.heartbeat_seconds),
            default_community=await communities.ensure_default(settings.community.name),
            adapters=adapters,
            chat=ChatService(db, accounts, clock, LinkPolicy(), limits),
            tonight=TonightService(game_nights, games, votes),
            platform_tokens=PlatformTokenService(db, clock, TokenSealer(settings.twitch.token_key)),
            overlays=OverlayService(db, accounts, adapters, settings.overlays.public_communities),
            announcements=AnnouncementService(db, bus),
        )
    finally:
        # Watches write to the database: they end before it closes.
        await room_monitor.close()
        await ecast.close()
        await sender.close()
        await http.close()
        await db.close()


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT (Ctrl-C) or SIGTERM, which then no longer interrupt anything."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _adapter(name: str, run: Coroutine[Any, Any, None]) -> None:
    """Run a chat adapter; if it fails for good, the API and the other adapters keep going."""
    try:
        await run
    except Exception:
        log.exception("the %s adapter stopped", name)


def _chat_adapters(services: Services, settings: Settings) -> dict[str, Coroutine[Any, Any, None]]:
    """The configured chat adapters, sharing one command layer."""
    chat = ChatCommands(services, all_commands(), settings.chat, time.monotonic)
    adapters: dict[str, Coroutine[Any, Any, None]] = {}
    if settings.discord.token:
        adapters["discord"] = run_discord(services, chat, settings)
    if twitch_configured(settings.twitch):
        adapters["twitch"] = run_twitch(services, chat, settings)
    return adapters


async def serve(settings: Settings) -> None:
    """Run the API and the chat adapters until SIGINT or SIGTERM, then stop them all cleanly.

    The adapters stop first (each closes its client), then the webhook dispatcher, then
    the HTTP server; the database closes last, after its final commit.
    """
    stop = _stop_on_signals()
    async with open_services(settings) as services:
        api = settings.api
        app = create_app(services, api.max_body_bytes, api.read_timeout_seconds, api.cors_origins)
        runner = web.AppRunner(app, access_log_class=AccessLogger, **runner_options(api.read_timeout_seconds))
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.api.host, settings.api.port).start()
            log.info("tallybot API listening on http://%s:%d", settings.api.host, settings.api.port)
            adapters = _chat_adapters(services, settings)
            if not adapters:
                log.info("no chat credentials in the settings: running the API alone")
            async with asyncio.TaskGroup() as group:
                chat_tasks = [group.create_task(_adapter(name, run), name=name) for name, run in adapters.items()]
                dispatcher = group.create_task(services.webhooks.run(), name="webhook-dispatcher")
                await stop.wait()
                log.info("stopping")
                for task in chat_tasks:
                    task.cancel()
                if chat_tasks:
                    await asyncio.wait(chat_tasks)
                # Let stream clients and long polls go before the server waits for their handlers to end.
                services.streams.close()
                services.poker.release_waiters()
                dispatcher.cancel()
        finally:
            await runner.cleanup()


async def _console(settings: Settings) -> None:
    stop = _stop_on_signals()
    async with open_services(settings) as services:
        chat = ChatCommands(services, all_commands(), settings.chat, time.monotonic)
        await run_console(services, chat, sys.stdin.fileno(), sys.stdout, stop)


async def _create_token(settings: Settings, role: Role, community_name: str | None, name: str) -> str:
    async with open_services(settings) as services:
        community = services.default_community
        if community_name is not None and community_name not in (community.slug, community.name):
            community = await services.communities.by_slug(community_name)
        issued = await services.accounts.create_api_token(community, role, name)
        return issued.secret


async def _import_chat(settings: Settings, path: Path, session_id: int) -> str:
    async with open_services(settings) as services:
        return summary(await import_chat_file(services, path, session_id, sys.stderr))


async def _twitch_auth(settings: Settings, code: str | None) -> str:
    if code is None:
        return await twitch_auth.consent_link(settings.twitch)
    async with open_services(settings) as services:
        return await twitch_auth.store_code(services, settings.twitch, code)


async def _sync_commands(settings: Settings, guild_id: int | None) -> str:
    if not settings.discord.token:
        raise SettingsError("[discord] token: needed to register the slash commands")
    async with open_services(settings) as services:
        chat = ChatCommands(services, all_commands(), settings.chat, time.monotonic)
        names = await sync_commands(services, chat, settings, guild_id)
    where = "globally (Discord may take up to an hour to show them)" if guild_id is None else f"in server {guild_id}"
    return f"registered {len(names)} slash commands {where}: {', '.join('/' + name for name in names)}"


async def _migrate(settings: Settings) -> int:
    async with open_services(settings):
        return len(available())


def _init(path: Path, force: bool) -> str:
    if path.exists() and not force:
        raise SettingsError(f"{path}: already exists (use --force to overwrite it)")
    example = resources.files("tallybot.data").joinpath("bot.toml.example").read_text(encoding="utf-8")
    path.write_text(example, encoding="utf-8")
    return f"wrote {path}; edit it, then run `tallybot run --config {path}`"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tallybot", description="Chat bot and HTTP API for game nights and more.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the API and every chat adapter with credentials")
    init = commands.add_parser("init", help="write a starter bot.toml")
    init.add_argument("--path", type=Path, default=Path("bot.toml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    migrate = commands.add_parser("migrate", help="apply the database migrations")
    token = commands.add_parser("token", help="manage API bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new API bearer token")
    create.add_argument("--role", choices=[role.value for role in Role], required=True)
    create.add_argument("--community", help="the community's name (default: the [community] one)")
    create.add_argument("--name", default="integration", help="a label to recognise the token by")
    chat = commands.add_parser("import-chat", help="import a JSON or CSV chat log into a game-night session")
    chat.add_argument("file", type=Path, help="JSON [{username, message, timestamp}, ...] or CSV with those columns")
    chat.add_argument("--session", type=int, required=True, help="the session's id")
    twitch = commands.add_parser("twitch-auth", help="store the Twitch bot's token (first without --code)")
    twitch.add_argument("--code", help="the code Twitch sent to oauth_redirect_uri after the consent page")
    console = commands.add_parser("console", help="chat with the bot in this terminal (no credentials needed)")
    sync = commands.add_parser("sync-commands", help="register the Discord slash commands (never done on start)")
    sync.add_argument("--guild", type=int, help="one server's id: its commands show at once (default: global)")
    for command in (run, migrate, create, chat, twitch, sync, console):
        command.add_argument("--config", type=Path, default=None, help="bot.toml (default: built-in defaults)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``tallybot`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "init":
            print(_init(args.path, args.force))
            return 0
        settings = load_settings(args.config)
        if args.command == "run":
            asyncio.run(serve(settings))
        elif args.command == "import-chat":
            print(asyncio.run(_import_chat(settings, args.file, args.session)))
        elif args.command == "console":
            asyncio.run(_console(settings))
        elif args.command == "sync-commands":
            print(asyncio.run(_sync_commands(settings, args.guild)))
        elif args.command == "twitch-auth":
            print(asyncio.run(_twitch_auth(settings, args.code)))
        elif args.command == "migrate":
            print(f"database {settings.storage.path} is at schema version {asyncio.run(_migrate(settings))}")
        else:
            print(asyncio.run(_create_token(settings, Role(args.role), args.community, args.name)))
    except SettingsError as exc:
        print(f"tallybot: configuration error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"tallybot: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
