"""The real app on 127.0.0.1, on an event loop of its own, for a fuzzer that makes blocking requests.

schemathesis sends its requests with ``requests``, which blocks: a server on the test's own
loop would never answer. ``LiveApp`` runs ``open_services`` and ``create_app`` on a loop in a
thread, serves them with ``web.AppRunner`` and ``TCPSite`` exactly as ``tallybot run`` does,
and puts in the database what the fuzzer needs tokens and ids for.

Nothing may leave the machine while random requests are sent: every outside service the
settings name points at a closed loopback port, and webhooks go to ``UnreachableInternet``,
which answers every delivery as a failed connection, whatever address a fuzzed URL names.
"""

import asyncio
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from aiohttp import web

from tallybot.api.app import create_app, runner_options
from tallybot.bot.__main__ import open_services
from tallybot.core.events import DeliveryOutcome, WebhookRequest, WebhookResponse
from tallybot.core.gamenight import GameDetails
from tallybot.core.models import Person, Platform, Provider, Role
from tallybot.core.services import Services
from tallybot.settings import Settings, parse_settings
from tests.helpers import host_of

CLOSED_PORT = "http://127.0.0.1:1"
UNLIMITED = 1_000_000
START_SECONDS = 30.0


class UnreachableInternet:
    """A webhook sender for a machine with no way out: every request fails to connect."""

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        """A connection failure, at once; nothing is sent."""
        return WebhookResponse(None, "", {}, "", 0, DeliveryOutcome.ERROR, "no network in the fuzz run")


def fuzz_settings(directory: Path) -> Settings:
    """Settings with the files in ``directory``, every outside service on a closed loopback port, no attempt limits."""
    base = parse_settings({}, {})
    return replace(
        base,
        storage=replace(base.storage, path=str(directory / "tallybot.db")),
        email=replace(base.email, outbox_path=str(directory / "outbox.txt")),
        gamenight=replace(base.gamenight, ecast_base_url=CLOSED_PORT),
        # The brute-force limits would answer most sign-in requests with 429 before their handlers
        # run; tests/security holds the limits themselves.
        accounts=replace(base.accounts, attempts_per_address=UNLIMITED, attempts_per_account=UNLIMITED),
        api=replace(base.api, poker_sessions_per_hour=UNLIMITED),
        github=replace(
            base.github,
            authorize_url=f"{CLOSED_PORT}/authorize",
            token_url=f"{CLOSED_PORT}/token",
            user_url=f"{CLOSED_PORT}/user",
            api_url=CLOSED_PORT,
        ),
        discord=replace(base.discord, oauth_token_url=f"{CLOSED_PORT}/token", oauth_user_url=f"{CLOSED_PORT}/user"),
        twitch=replace(base.twitch, oauth_token_url=f"{CLOSED_PORT}/token", oauth_user_url=f"{CLOSED_PORT}/user"),
    )


@dataclass(frozen=True)
class World:
    """Tokens of every kind for the default community, and ids of things that exist in it."""

    community: str
    someone: Person
    host: str
    viewer: str
    person: str
    poker_session: str
    poker_owner: str
    prompt: int
    group: int
    night: int
    night_game: int


async def build_world(services: Services) -> World:
    """A host and a viewer token, a person with a coffee group, a poker session with a prompt, a game night."""
    home = services.default_community
    accounts = services.accounts
    # A coffee group's members come from a chat community the person is in.
    crew = await services.communities.ensure(Platform.DISCORD, "9001", "Crew")
    alice = await accounts.chat_person(crew, Provider.DISCORD, "1", "alice", Role.MEMBER)
    group = await services.coffee.create_group(alice.id, home, crew.slug, None, None)
    seat = await services.poker.create_session(home, "Dale")
    assert seat.token is not None
    view = await services.poker.create_prompt(home, seat.session_id, seat.token, "OIDC")
    game = await services.games.add_game(host_of(home), home, GameDetails("Fuzz Pack", "Fuzz Game", 1, 8))
    night = await services.game_nights.start(host_of(home), home, None)
    played = await services.game_nights.add_game(host_of(home), home, night.id, game.id, False, None)
    return World(
        community=home.slug,
        someone=alice,
        host=(await accounts.create_api_token(home, Role.HOST, "fuzz host")).secret,
        viewer=(await accounts.create_api_token(home, Role.VIEWER, "fuzz viewer")).secret,
        person=(await accounts.open_session_for(alice)).token,
        poker_session=seat.session_id,
        poker_owner=seat.token,
        prompt=view.prompt.number,
        group=group.id,
        night=night.id,
        night_game=played.id,
    )


class LiveApp:
    """The app served on 127.0.0.1 from a thread with its own event loop, until ``stop``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fuzz-server", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.base_url = ""
        self.world: World | None = None

    def start(self) -> World:
        """Start serving; returns the world once the server listens."""
        self._thread.start()
        if not self._ready.wait(START_SECONDS):
            raise RuntimeError(f"the fuzz server did not start within {START_SECONDS} s")
        if self._failure is not None:
            raise RuntimeError("the fuzz server failed to start") from self._failure
        assert self.world is not None
        return self.world

    def stop(self) -> None:
        """Close the server, its services and the database, and wait for the thread."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(START_SECONDS)
        if self._failure is not None:
            raise RuntimeError("the fuzz server failed") from self._failure

    def fresh_session(self) -> str:
        """A new session token for the world's person, for a request that ends the session it carries."""
        assert self._loop is not None
        assert self.world is not None
        someone = self.world.someone

        async def open_one() -> str:
            return (await self._services.accounts.open_session_for(someone)).token

        return asyncio.run_coroutine_threadsafe(open_one(), self._loop).result(START_SECONDS)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to the test by start() or stop()
            self._failure = error
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        api = self._settings.api
        async with open_services(self._settings, webhook_sender=UnreachableInternet()) as services:
            self._services = services
            app = create_app(services, api.max_body_bytes, api.read_timeout_seconds)
            runner = web.AppRunner(app, **runner_options(api.read_timeout_seconds))
            await runner.setup()
            try:
                site = web.TCPSite(runner, "127.0.0.1", 0)
                await site.start()
                port = runner.addresses[0][1]
                self.base_url = f"http://127.0.0.1:{port}"
                self.world = await build_world(services)
                self._ready.set()
                await self._stopping.wait()
                # Let long polls and streams go before the runner waits for their handlers.
                services.streams.close()
                services.poker.release_waiters()
            finally:
                await runner.cleanup()
