"""Game-night admin auth (``/api/auth/login``, ``/api/auth/verify``) and ``GET /health``."""

import contextlib
import sqlite3
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import Client, FakeClock, FakeMonotonic, LastCode

ADMIN_KEY = "correct-horse-battery-staple"
LOGGED_IN = {"message": "Authentication successful", "expiresIn": "24h"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, api=replace(settings.api, admin_keys=("another-admin-key-16", ADMIN_KEY)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: Client, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    assert response.status == status, await response.text()
    return await response.json()


async def login(client: Client, key: object, status: int = 200, base: str = "") -> Any:
    return await call(client, "POST", f"{base}/api/auth/login", status, json={"key": key})


async def test_an_admin_key_logs_in_with_a_24_hour_host_token(client: Client, clock: FakeClock) -> None:
    body = await login(client, ADMIN_KEY)
    token = body.pop("token")
    assert body == LOGGED_IN
    assert len(token) >= 40
    assert await call(client, "POST", "/api/auth/verify", headers=bearer(token)) == {
        "valid": True,
        "role": "host",
        "community": "default",
    }
    clock.advance(timedelta(hours=24))
    assert await call(client, "POST", "/api/auth/verify", 403, headers=bearer(token)) == {
        "error": "Invalid or expired token"
    }


async def test_a_login_token_writes_like_a_host(client: Client) -> None:
    token = (await login(client, ADMIN_KEY))["token"]
    [game] = await call(client, "GET", "/api/games?playerCount=100")
    toggled = await call(client, "PATCH", f"/api/games/{game['id']}/toggle", headers=bearer(token))
    assert toggled["enabled"] == 0


async def test_a_host_api_token_is_accepted_as_an_admin_key(client: Client, services: Services) -> None:
    issued = await services.accounts.create_api_token(services.default_community, Role.HOST, "cli")
    body = await login(client, issued.secret)
    assert body == {**LOGGED_IN, "token": body["token"]}
    assert body["token"] != issued.secret


@pytest.mark.parametrize("key", ["wrong-key-of-some-length", "correct-horse-battery-stapl", "x"])
async def test_a_wrong_key_is_a_401(client: Client, key: str) -> None:
    assert await login(client, key, 401) == {"error": "Invalid admin key"}


async def test_member_and_expired_tokens_are_not_admin_keys(
    client: Client, services: Services, clock: FakeClock
) -> None:
    member = await services.accounts.create_api_token(services.default_community, Role.MEMBER, "overlay")
    assert await login(client, member.secret, 401) == {"error": "Invalid admin key"}
    expiring = await services.accounts.create_api_token(
        services.default_community, Role.HOST, "old", expires_at=clock.now + timedelta(hours=1)
    )
    clock.advance(timedelta(hours=1))
    assert await login(client, expiring.secret, 401) == {"error": "Invalid admin key"}


async def test_a_host_token_of_another_community_is_not_an_admin_key_here(client: Client, services: Services) -> None:
    other = await services.communities.ensure(Platform.DISCORD, "123", "Other")
    issued = await services.accounts.create_api_token(other, Role.HOST, "cli")
    assert await login(client, issued.secret, 401) == {"error": "Invalid admin key"}
    body = await login(client, issued.secret, base=f"/c/{other.slug}")
    assert await call(client, "POST", f"/c/{other.slug}/api/auth/verify", headers=bearer(body["token"])) == {
        "valid": True,
        "role": "host",
        "community": other.slug,
    }


async def test_an_admin_key_logs_in_to_the_community_in_the_path(client: Client, services: Services) -> None:
    other = await services.communities.ensure(Platform.DISCORD, "123", "Other")
    token = (await login(client, ADMIN_KEY, base=f"/c/{other.slug}"))["token"]
    assert (await call(client, "POST", f"/c/{other.slug}/api/auth/verify", headers=bearer(token)))["valid"] is True
    assert await call(client, "POST", "/api/auth/verify", 403, headers=bearer(token)) == {
        "error": "This needs a host token for this community"
    }


@pytest.mark.parametrize("payload", [{}, {"key": ""}, {"key": None}])
async def test_a_missing_key_is_a_400(client: Client, payload: dict[str, Any]) -> None:
    assert await call(client, "POST", "/api/auth/login", 400, json=payload) == {"error": "Admin key is required"}


async def test_a_key_that_is_not_a_string_is_a_400(client: Client) -> None:
    assert await login(client, 12345, 400) == {"error": "Invalid parameters: key must be a string"}


async def test_login_attempts_are_rate_limited_per_client(
    client: Client, services: Services, settings: Settings, monotonic: FakeMonotonic
) -> None:
    # Spread over communities, none of which runs out of failed logins (see tests/security).
    per_community = settings.accounts.attempts_per_account
    for attempt in range(settings.accounts.attempts_per_address):
        other = await services.communities.ensure(Platform.DISCORD, str(attempt // per_community), "Other")
        await login(client, "wrong-key-of-some-length", 401, base=f"/c/{other.slug}")
    response = await client.post("/api/auth/login", json={"key": ADMIN_KEY})
    assert response.status == 429
    assert response.headers["Retry-After"] == "900"
    assert await response.json() == {"error": "Too many login attempts. Try again in 900 seconds."}
    monotonic.advance(settings.accounts.attempt_window_seconds)
    assert (await login(client, ADMIN_KEY))["message"] == "Authentication successful"


async def test_verify_refuses_missing_bad_and_member_tokens(client: Client, services: Services) -> None:
    member = await services.accounts.create_api_token(services.default_community, Role.MEMBER, "overlay")
    assert await call(client, "POST", "/api/auth/verify", 401) == {"error": "Access token required"}
    assert await call(client, "POST", "/api/auth/verify", 403, headers=bearer("nope")) == {
        "error": "Invalid or expired token"
    }
    assert await call(client, "POST", "/api/auth/verify", 403, headers=bearer(member.secret)) == {
        "error": "This needs a host token for this community"
    }


async def test_an_accounts_session_of_a_host_is_a_bearer_token(
    client: Client, services: Services, settings: Settings, last_code: LastCode
) -> None:
    email = "host@example.com"
    signed_up = {"email_address": email, "display_name": "Host", "agreed_with_TOS": True}
    await call(client, "POST", "/api/sign-up", json=signed_up)
    start = {"email_address": email, "confirmation_code": last_code(email)}
    session = await call(client, "POST", "/api/start-session-with-confirmation-code", json=start)
    token = session["session"]["session_uuid"]
    assert await call(client, "POST", "/api/auth/verify", 403, headers=bearer(token)) == {
        "error": "This needs a host token for this community"
    }
    # Making someone a host is a chat-platform matter (manage-server, a mod badge); here it is set directly.
    with contextlib.closing(sqlite3.connect(settings.storage.path)) as conn:
        conn.execute("UPDATE memberships SET role = 'host' WHERE community_id = ?", (services.default_community.id,))
        conn.commit()
    assert (await call(client, "POST", "/api/auth/verify", headers=bearer(token)))["valid"] is True
    assert (await login(client, token))["message"] == "Authentication successful"


async def test_health_answers_ok(client: Client) -> None:
    body = await call(client, "GET", "/health")
    assert body == {"status": "ok", "uptime_seconds": body["uptime_seconds"]}
    assert body["uptime_seconds"] >= 0
