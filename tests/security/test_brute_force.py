"""Guessing secrets over HTTP is rate limited per client address and per account.

Requests come from several loopback addresses (127.0.0.2, 127.0.0.3, ...), so that the
server really sees different clients. Every refusal is a 429 with Retry-After, in the
error format of the spec that was asked (coffee: HTTP 200 with a ``rate_limited`` error).
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from tallybot.core.models import Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import Client, FakeMonotonic, LastCode

ADMIN_KEY = "correct-horse-battery-staple"
WINDOW = "900"
TOO_MANY = "Too many attempts. Try again in 900 seconds."

Answer = tuple[int, dict[str, Any]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, api=replace(settings.api, admin_keys=(ADMIN_KEY,)))


@pytest.fixture
def per_address(settings: Settings) -> int:
    return settings.accounts.attempts_per_address


@pytest.fixture
def per_account(settings: Settings) -> int:
    return settings.accounts.attempts_per_account


class Addresses:
    """HTTP sessions to the test server, each from its own loopback address."""

    def __init__(self, client: Client, stack: contextlib.AsyncExitStack) -> None:
        self._base = str(client.make_url("/"))
        self._stack = stack
        self._sessions: dict[int, aiohttp.ClientSession] = {}

    async def post(self, number: int, path: str, payload: dict[str, Any], token: str | None = None) -> Answer:
        """POST JSON from 127.0.0.<number + 1>; the status and the body (without reply_timestamp)."""
        if number not in self._sessions:
            connector = aiohttp.TCPConnector(local_addr=(f"127.0.0.{number + 1}", 0))
            session = aiohttp.ClientSession(base_url=self._base, connector=connector)
            self._sessions[number] = await self._stack.enter_async_context(session)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        async with self._sessions[number].post(path, json=payload, headers=headers) as response:
            if response.status == 204:
                return 204, {}
            body = await response.json()
            body.pop("reply_timestamp", None)
            error = body.get("error")
            if response.status == 429 or (isinstance(error, dict) and error["type"] == "rate_limited"):
                assert response.headers["Retry-After"] == WINDOW
            return response.status, body


@pytest.fixture
async def addresses(client: Client) -> AsyncIterator[Addresses]:
    async with contextlib.AsyncExitStack() as stack:
        yield Addresses(client, stack)


def envelope(message: str) -> dict[str, Any]:
    return {"success": False, "message": message}


Guess = Callable[[int, str], Awaitable[Answer]]


def accounts_guess(addresses: Addresses, path: str, secret: str) -> Guess:
    """A wrong code or password for an e-mail address, from an address."""

    async def guess(number: int, email: str) -> Answer:
        return await addresses.post(number, path, {"email_address": email, secret: "0000"})

    return guess


CODE_ROUTES = ["/api/confirm-email", "/api/start-session-with-confirmation-code"]


def wrong(route: str, email: str) -> Answer:
    if route == "/api/start-session":
        return 200, envelope("Could not start a session: wrong e-mail address or password")
    return 200, envelope(f"Sorry, 0000 doesn't match the confirmation code for email {email} !")


# Accounts: confirmation codes and passwords


@pytest.mark.parametrize(
    ("route", "secret"), [*((route, "confirmation_code") for route in CODE_ROUTES), ("/api/start-session", "password")]
)
async def test_guesses_from_one_address_are_limited_across_accounts(
    addresses: Addresses, per_address: int, monotonic: FakeMonotonic, route: str, secret: str
) -> None:
    guess = accounts_guess(addresses, route, secret)
    for n in range(per_address):
        assert await guess(1, f"person{n}@example.com") == wrong(route, f"person{n}@example.com")
    assert await guess(1, "fresh@example.com") == (429, envelope(TOO_MANY))
    assert await guess(2, "fresh@example.com") == wrong(route, "fresh@example.com")
    monotonic.advance(900)
    assert await guess(1, "fresh@example.com") == wrong(route, "fresh@example.com")


@pytest.mark.parametrize(
    ("route", "secret"), [*((route, "confirmation_code") for route in CODE_ROUTES), ("/api/start-session", "password")]
)
async def test_guesses_at_one_account_are_limited_across_addresses(
    addresses: Addresses, per_account: int, route: str, secret: str
) -> None:
    guess = accounts_guess(addresses, route, secret)
    email = "victim@example.com"
    for n in range(per_account):
        assert await guess(n + 1, email) == wrong(route, email)
    assert await guess(per_account + 1, email) == (429, envelope(TOO_MANY))
    assert await guess(per_account + 1, "other@example.com") == wrong(route, "other@example.com")


async def test_both_code_routes_share_one_budget_per_account(addresses: Addresses, per_account: int) -> None:
    email = "victim@example.com"
    for n in range(per_account):
        route = CODE_ROUTES[n % 2]
        assert await accounts_guess(addresses, route, "confirmation_code")(n + 1, email) == wrong(route, email)
    for route in CODE_ROUTES:
        assert await accounts_guess(addresses, route, "confirmation_code")(99, email) == (429, envelope(TOO_MANY))


async def test_asking_for_codes_is_limited_per_address_and_per_account(
    addresses: Addresses, per_address: int, per_account: int
) -> None:
    path = "/api/send-confirmation-code"
    for n in range(per_account):
        sent = await addresses.post(n + 1, path, {"email_address": "victim@example.com"})
        assert sent == (200, {"success": True, "message": "Sent a confirmation code to victim@example.com!"})
    assert await addresses.post(50, path, {"email_address": "victim@example.com"}) == (429, envelope(TOO_MANY))
    for n in range(per_address):
        assert (await addresses.post(60, path, {"email_address": f"p{n}@example.com"}))[0] == 200
    assert await addresses.post(60, path, {"email_address": "new@example.com"}) == (429, envelope(TOO_MANY))


async def test_the_right_code_is_refused_once_the_account_is_locked(
    addresses: Addresses, per_account: int, last_code: LastCode
) -> None:
    email = "victim@example.com"
    signed_up = {"email_address": email, "display_name": "Victim", "agreed_with_TOS": True}
    assert (await addresses.post(1, "/api/sign-up", signed_up))[0] == 200
    for n in range(per_account):
        await accounts_guess(addresses, "/api/confirm-email", "confirmation_code")(n + 2, email)
    payload = {"email_address": email, "confirmation_code": last_code(email)}
    assert await addresses.post(40, "/api/confirm-email", payload) == (429, envelope(TOO_MANY))


# Game-night admin login


def login(addresses: Addresses, number: int, key: str, base: str = "") -> Awaitable[Answer]:
    return addresses.post(number, f"{base}/api/auth/login", {"key": key})


INVALID = (401, {"error": "Invalid admin key"})
TOO_MANY_LOGINS = (429, {"error": "Too many login attempts. Try again in 900 seconds."})


async def test_failed_admin_logins_from_many_addresses_lock_the_community_not_others(
    addresses: Addresses, services: Services, per_account: int, monotonic: FakeMonotonic
) -> None:
    for n in range(per_account):
        assert await login(addresses, n + 1, f"wrong-key-number-{n}") == INVALID
    assert await login(addresses, 50, ADMIN_KEY) == TOO_MANY_LOGINS
    other = await services.communities.ensure(Platform.DISCORD, "42", "Other")
    assert (await login(addresses, 50, ADMIN_KEY, base=f"/c/{other.slug}"))[0] == 200
    monotonic.advance(900)
    assert (await login(addresses, 50, ADMIN_KEY))[0] == 200


async def test_successful_admin_logins_do_not_lock_the_community(addresses: Addresses, per_account: int) -> None:
    for n in range(per_account + 5):
        assert (await login(addresses, n + 1, ADMIN_KEY))[0] == 200
    assert await login(addresses, 99, "wrong-key-after-all") == INVALID


async def test_admin_logins_from_one_address_are_limited_across_communities(
    addresses: Addresses, services: Services, per_address: int, per_account: int
) -> None:
    for n in range(per_address):
        other = await services.communities.ensure(Platform.DISCORD, str(n // per_account), "Other")
        assert await login(addresses, 1, "wrong-key-of-some-length", base=f"/c/{other.slug}") == INVALID
    assert await login(addresses, 1, ADMIN_KEY) == TOO_MANY_LOGINS
    assert (await login(addresses, 2, ADMIN_KEY))[0] == 200


# Coffee sign-in


def coffee_error(kind: str, message: str, **parameters: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "parameters": parameters}}


async def test_coffee_sign_ins_are_limited_per_address(addresses: Addresses, per_address: int) -> None:
    # No provider is configured here: each attempt is refused, and still counted.
    problem = "provider github sign-in is not configured on this server"
    invalid = [{"type": "invalid", "message": problem}]
    refused = (200, coffee_error("invalid_parameters", f"Invalid parameters: {problem}", provider=invalid))
    for n in range(per_address):
        assert await addresses.post(1, "/1/auth", {"code": f"guess-{n}"}) == refused
    assert await addresses.post(1, "/1/auth", {"code": "another"}) == (200, coffee_error("rate_limited", TOO_MANY))
    assert await addresses.post(2, "/1/auth", {"code": "another"}) == refused


# Poker session ids


TOO_MANY_IDS = (429, {"error": "Too many unknown session ids. Try again in 900 seconds."})


async def test_asking_about_unknown_poker_sessions_is_limited_per_address(
    addresses: Addresses, per_address: int, monotonic: FakeMonotonic
) -> None:
    created = await addresses.post(1, "/session/create", {"participant_id": "Dale"})
    session_id = created[1]["session_id"]
    for n in range(per_address):
        guess = f"nosuch-otter-{n}"
        answer = await addresses.post(2, f"/session/{guess}/join", {"participant_id": "Eve"})
        assert answer == (404, {"error": f"No open session with id {guess}"})
    assert await addresses.post(2, f"/session/{session_id}/join", {"participant_id": "Eve"}) == TOO_MANY_IDS
    assert await addresses.post(2, f"/session/{session_id}/prompt/wait", {"timeout": 0}) == TOO_MANY_IDS
    assert (await addresses.post(3, f"/session/{session_id}/join", {"participant_id": "Jesse"}))[0] == 200
    monotonic.advance(900)
    assert (await addresses.post(2, f"/session/{session_id}/join", {"participant_id": "Eve"}))[0] == 200


async def test_every_poker_route_counts_unknown_ids_against_the_address(addresses: Addresses, per_address: int) -> None:
    routes: list[tuple[str, dict[str, Any]]] = [
        ("join", {"participant_id": "Eve"}),
        ("prompt/wait", {"timeout": 0}),
        ("prompt/create", {"prompt": "OIDC"}),
        ("prompt/1/vote", {"vote": "5"}),
        ("prompt/1/watch", {}),
        ("prompt/1/reveal", {}),
        ("close", {}),
    ]
    for n in range(per_address):
        route, payload = routes[n % len(routes)]
        status, _ = await addresses.post(1, f"/session/nosuch-otter-{n}/{route}", payload, token="not-a-token")
        assert status == 404, route
    assert await addresses.post(1, "/session/nosuch-otter-1/prompt/1/revote", {}) == TOO_MANY_IDS


async def test_asking_about_unknown_prompts_and_closed_sessions_does_not_count(
    addresses: Addresses, per_address: int
) -> None:
    created = await addresses.post(1, "/session/create", {"participant_id": "Dale"})
    session_id, token = created[1]["session_id"], created[1]["token"]
    no_prompt = (404, {"error": f"No prompt 7 in session {session_id}"})
    for _ in range(per_address + 5):
        assert await addresses.post(2, f"/session/{session_id}/prompt/7/watch", {}, token=token) == no_prompt
    assert await addresses.post(1, f"/session/{session_id}/close", {}, token=token) == (204, {})
    closed_answer = (404, {"error": f"No open session with id {session_id}"})
    for _ in range(per_address + 5):
        assert await addresses.post(2, f"/session/{session_id}/prompt/wait", {"timeout": 0}) == closed_answer
