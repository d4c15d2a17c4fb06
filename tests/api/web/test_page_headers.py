"""Every HTML page is hardened: nothing sniffed, only its own origin's files, and no referrer (URLs carry tokens)."""

import base64
import hashlib
import re

import pytest

from tallybot.core.models import Role
from tallybot.core.services import Services
from tests.helpers import Client

SELF_ONLY = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
DOCS = f"{SELF_ONLY}; img-src 'self' data:"


def hardening(policy: str) -> dict[str, str]:
    return {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"}


async def get_page(client: Client, path: str, status: int) -> tuple[dict[str, str], str]:
    response = await client.get(path)
    assert (response.status, response.content_type) == (status, "text/html"), await response.text()
    names = ("X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy")
    return {name: response.headers[name] for name in names if name in response.headers}, await response.text()


async def viewer_token(services: Services) -> str:
    return (await services.accounts.create_api_token(services.default_community, Role.VIEWER, "obs")).secret


@pytest.mark.parametrize(
    ("path", "status", "policy"),
    [
        ("/?token={viewer}", 200, SELF_ONLY),
        ("/c/default/?token={viewer}", 200, SELF_ONLY),
        ("/overlay/gamenight?token={viewer}", 200, SELF_ONLY),
        ("/overlay/poker/brave-otter-417?token={viewer}", 200, SELF_ONLY),
        ("/overlay/coffee/3?token={viewer}", 200, SELF_ONLY),
        ("/api/docs", 200, DOCS),
    ],
)
async def test_each_html_page_carries_the_three_hardening_headers(
    client: Client, services: Services, path: str, status: int, policy: str
) -> None:
    headers, html = await get_page(client, path.format(viewer=await viewer_token(services)), status)
    assert headers == hardening(policy)
    # Nothing inline that the policy would block: no script, no style attribute, no event handler attribute.
    assert re.findall(r"<script>|<style|\sstyle=|\son[a-z]+=", html) == []


@pytest.mark.parametrize(("path", "status"), [("/overlay/gamenight", 401), ("/overlay/coffee/abc?token={viewer}", 404)])
async def test_an_error_page_lets_in_exactly_its_own_style(
    client: Client, services: Services, path: str, status: int
) -> None:
    headers, html = await get_page(client, path.format(viewer=await viewer_token(services)), status)
    [style] = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert headers == hardening(f"{SELF_ONLY}; style-src 'self' 'sha256-{digest}'")
    assert re.findall(r"<script|\sstyle=|\son[a-z]+=", html) == []


async def test_answers_that_are_no_page_are_not_sniffed_and_carry_no_page_policy(client: Client) -> None:
    for path in ("/api/sessions", "/overlay/static/overlay.js", "/api/docs/assets/docs.js", "/nothing/here"):
        response = await client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers
