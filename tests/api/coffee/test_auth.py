"""POST /1/auth against the fake OAuth provider, and the coffee error contract for every kind of failure."""

import io
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tallybot.core.models import Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.api.coffee.conftest import AVATAR, Call, SignIn
from tests.fake_oauth import FakeProvider
from tests.helpers import Client, FakeClock

OCTOCAT = {"user_id": 1, "username": "octocat", "display_name": "Mona Lisa", "avatar_url": AVATAR.format("octocat")}


def error(kind: str, message: str, **parameters: list[tuple[str, str]]) -> dict[str, Any]:
    """The spec's error body; each parameter maps to (type, message) problems."""
    listed = {
        name.replace("__", "."): [{"type": t, "message": m} for t, m in problems]
        for name, problems in parameters.items()
    }
    return {"error": {"type": kind, "message": message, "parameters": listed}}


async def test_a_github_code_signs_in_with_a_new_expiring_tallybot_token(
    call: Call, provider: FakeProvider, settings: Settings, clock: FakeClock
) -> None:
    body = await call("/1/auth", code=provider.code_for("github", "octocat"))
    token = body.pop("access_token")
    assert body == OCTOCAT
    assert await call("GET /1/user/info", token) == OCTOCAT
    # The provider's own token is never handed back, and never stored anywhere.
    assert token not in provider.issued_tokens()
    stored = b"".join(path.read_bytes() for path in Path(settings.storage.path).parent.glob("tallybot.db*"))
    assert provider.issued_tokens()
    assert all(issued.encode() not in stored for issued in provider.issued_tokens())
    clock.advance(timedelta(hours=settings.accounts.session_ttl_hours))
    assert await call("GET /1/user/info", token) == error(
        "unauthorized", "Invalid or expired token", headers__authorization=[("invalid", "Invalid or expired token")]
    )


async def test_signing_in_again_finds_the_same_user(sign_in: SignIn) -> None:
    first = await sign_in("octocat")
    second = await sign_in("octocat")
    assert first["user_id"] == second["user_id"] == 1
    assert first["access_token"] != second["access_token"]


async def test_a_form_encoded_discord_sign_in_returns_the_discord_profile(call: Call, provider: FakeProvider) -> None:
    body = await call("/1/auth", form=True, code=provider.code_for("discord", "nelly"), provider="discord")
    assert body.pop("access_token")
    assert body == {
        "user_id": 1,
        "username": "nelly",
        "display_name": "Nelly",
        "avatar_url": "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675.png",
    }


async def test_a_twitch_sign_in_returns_the_twitch_profile(call: Call, provider: FakeProvider) -> None:
    body = await call("/1/auth", code=provider.code_for("twitch", "twitchdev"), provider="Twitch")
    assert body.pop("access_token")
    assert body == {
        "user_id": 1,
        "username": "twitchdev",
        "display_name": "TwitchDev",
        "avatar_url": AVATAR.format("twitch"),
    }


async def test_a_bad_or_reused_code_is_reported_under_code(call: Call, sign_in: SignIn, provider: FakeProvider) -> None:
    refused = error(
        "invalid_parameters",
        "Invalid parameters: code was not accepted by GitHub",
        code=[("invalid", "code was not accepted by GitHub")],
    )
    assert await call("/1/auth", code="not-a-code") == refused
    code = provider.code_for("github", "octocat")
    assert "access_token" in await call("/1/auth", code=code)
    assert await call("/1/auth", code=code) == refused
    discord_code = provider.code_for("github", "octocat")
    assert await call("/1/auth", code=discord_code, provider="discord") == error(
        "invalid_parameters",
        "Invalid parameters: code was not accepted by Discord",
        code=[("invalid", "code was not accepted by Discord")],
    )


async def test_a_missing_code_and_an_unknown_provider_are_reported_together(call: Call) -> None:
    assert await call("/1/auth", provider="myspace") == error(
        "invalid_parameters",
        "Invalid parameters: code is required",
        code=[("missing", "code is required")],
    )
    assert await call("/1/auth", code="abc", provider="myspace") == error(
        "invalid_parameters",
        "Invalid parameters: provider must be one of github, discord, twitch",
        provider=[("invalid", "provider must be one of github, discord, twitch")],
    )


async def test_a_provider_that_is_down_is_reported_as_unavailable(call: Call, provider: FakeProvider) -> None:
    provider.failing = True
    assert await call("/1/auth", code=provider.code_for("github", "octocat")) == error(
        "unavailable", "GitHub could not be reached just now. Please try again."
    )


async def test_authorize_gives_the_providers_consent_page(call: Call) -> None:
    assert await call("GET /1/auth/authorize") == {
        "authorize_url": "https://github.example/login/oauth/authorize"
        "?client_id=tallybot-client&response_type=code&scope=read%3Aorg"
    }
    assert await call("GET /1/auth/authorize", provider="discord") == {
        "authorize_url": "https://discord.com/oauth2/authorize?client_id=tallybot-client&response_type=code"
        "&scope=identify&redirect_uri=https%3A%2F%2Fcoffee.example%2Fcallback"
    }


class TestWithoutTwitchSignIn:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, twitch=replace(settings.twitch, client_id=""))

    async def test_signing_in_with_an_unconfigured_provider_is_refused(self, call: Call) -> None:
        assert await call("/1/auth", code="abc", provider="twitch") == error(
            "invalid_parameters",
            "Invalid parameters: provider twitch sign-in is not configured on this server",
            provider=[("invalid", "provider twitch sign-in is not configured on this server")],
        )


async def test_a_missing_bad_or_api_token_is_reported_under_the_authorization_header(
    call: Call, services: Services
) -> None:
    assert await call("GET /1/group/list") == error(
        "unauthorized", "Access token required", headers__authorization=[("missing", "Access token required")]
    )
    assert await call("/1/device/register", "not-a-token") == error(
        "unauthorized", "Invalid or expired token", headers__authorization=[("invalid", "Invalid or expired token")]
    )
    issued = await services.accounts.create_api_token(services.default_community, Role.HOST, "overlay")
    message = "This needs a person's access token from /1/auth, not an API token"
    assert await call("GET /1/team/list", issued.secret) == error(
        "unauthorized", message, headers__authorization=[("invalid", message)]
    )


async def test_unknown_paths_and_wrong_methods_get_the_coffee_error_format(call: Call, client: Client) -> None:
    assert await call("GET /1/nope") == error("not_found", "Not found")
    assert await call("/1/group/nope") == error("not_found", "Not found")
    assert await call("GET /c/default/1/nope") == error("not_found", "Not found")
    assert await call("GET /1/auth") == error("method_not_allowed", "Method not allowed")
    assert await call("GET /c/default/1/auth") == error("method_not_allowed", "Method not allowed")
    assert await call("/c/default/1/group/list") == error("method_not_allowed", "Method not allowed")


async def test_a_body_too_large_or_not_json_gets_the_coffee_error_format(
    client: Client, call: Call, settings: Settings
) -> None:
    big = io.BytesIO(json.dumps({"code": "x" * settings.api.max_body_bytes}).encode())
    response = await client.post("/1/auth", data=big, headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert await response.json() == error("request_too_large", "The request body is too large")
    response = await client.post("/1/auth", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert await response.json() == error("invalid_request", "The request body is not valid JSON")
