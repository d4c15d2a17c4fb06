"""No secret reaches the logs: tokens, codes and passwords stay out of every line."""

import logging
import re

import aiohttp
import pytest
from pytest_aiohttp import AiohttpServer

from tallybot.api.app import create_app
from tallybot.api.middlewares import AccessLogger
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import LastCode

EMAIL = "secretive@example.com"
PASSWORD = "hunter2-hunter2"


async def test_a_full_sign_up_and_session_flow_logs_no_secret(
    aiohttp_server: AiohttpServer,
    services: Services,
    settings: Settings,
    last_code: LastCode,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = await aiohttp_server(create_app(services, settings.api.max_body_bytes), access_log_class=AccessLogger)
    secrets: list[str] = [PASSWORD]
    async with aiohttp.ClientSession(base_url=str(server.make_url(""))) as http:

        async def call(method: str, path: str, **kwargs: object) -> dict[str, object]:
            async with http.request(method, path, **kwargs) as response:  # type: ignore[arg-type]
                body: dict[str, object] = await response.json()
                return body

        await call(
            "POST",
            "/api/sign-up",
            json={"email_address": EMAIL, "display_name": "S", "agreed_with_TOS": True, "password": PASSWORD},
        )
        first_code = last_code(EMAIL)
        secrets.append(first_code)
        await call("POST", "/api/confirm-email", json={"email_address": EMAIL, "confirmation_code": "9999x"})
        await call("POST", "/api/confirm-email", json={"email_address": EMAIL, "confirmation_code": first_code})
        await call("POST", "/api/send-confirmation-code", json={"email_address": EMAIL})
        second_code = last_code(EMAIL)
        secrets.append(second_code)
        started = await call(
            "POST",
            "/api/start-session-with-confirmation-code",
            json={"email_address": EMAIL, "confirmation_code": second_code},
        )
        token = started["session"]["session_uuid"]  # type: ignore[index]
        secrets.append(token)
        with_password = await call("POST", "/api/start-session", json={"email_address": EMAIL, "password": PASSWORD})
        secrets.append(with_password["session"]["session_uuid"])  # type: ignore[index]
        await call("GET", "/api/verify-session-uuid", params={"session_uuid": token})
        await call("GET", "/api/verify-session-uuid", headers={"Authorization": f"Bearer {token}"})
        await call("POST", "/api/end-session", json={"session_uuid": token})

    access_lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/api/verify-session-uuid 200" in line for line in access_lines)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        # Word boundaries keep a 4-digit code from matching inside an unrelated number.
        assert re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", logged) is None, secret
