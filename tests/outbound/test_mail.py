"""Mail: a real SMTP server on loopback (aiosmtpd), and the outbox file."""

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from pytest_aiohttp import AiohttpClient

from tallybot.api.app import create_app
from tallybot.bot.__main__ import open_services
from tallybot.outbound.mail import OutboxMailer, SmtpMailer
from tallybot.settings import Settings
from tests.helpers import FakeMonotonic, outbox_messages


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    received: list[tuple[Envelope, Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.received.append((envelope, email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def check_login(server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bot", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=check_login, auth_require_tls=False)
    controller.start()
    yield inbox, port
    controller.stop()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    # SMTP carries CRLF line endings; the outbox file keeps the plain ones.
    return payload.decode().replace("\r\n", "\n")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_smtp_mailer_logs_in_and_delivers_the_message(smtp_server: tuple[Inbox, int], settings: Settings) -> None:
    inbox, port = smtp_server
    email_settings = replace(
        settings.email, mode="smtp", host="127.0.0.1", port=port, starttls=False, user="bot", password="s3cret"
    )
    await SmtpMailer(email_settings).send("ryan@example.com", "Hello", "Three coffees.\n")
    [(envelope, message)] = inbox.received
    assert envelope.mail_from == "tallybot@localhost"
    assert envelope.rcpt_tos == ["ryan@example.com"]
    assert (message["From"], message["To"], message["Subject"]) == ("tallybot@localhost", "ryan@example.com", "Hello")
    assert body_of(message) == "Three coffees.\n"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_sign_up_mails_the_code_through_smtp(
    smtp_server: tuple[Inbox, int], settings: Settings, aiohttp_client: AiohttpClient
) -> None:
    inbox, port = smtp_server
    smtp_settings = replace(
        settings, email=replace(settings.email, mode="smtp", host="127.0.0.1", port=port, starttls=False)
    )
    async with open_services(smtp_settings, monotonic=FakeMonotonic()) as services:
        client = await aiohttp_client(create_app(services, settings.api.max_body_bytes))
        response = await client.post(
            "/api/sign-up", json={"email_address": "ryan@example.com", "display_name": "Ryan", "agreed_with_TOS": True}
        )
        assert (await response.json())["success"] is True
    [(envelope, message)] = inbox.received
    assert envelope.rcpt_tos == ["ryan@example.com"]
    assert message["Subject"] == "Your tallybot confirmation code"
    body = body_of(message)
    code = body.split("confirmation code is ")[1][:4]
    assert code.isdigit()
    assert body == (
        "Hello Ryan,\n\n"
        f"Your tallybot confirmation code is {code}.\n"
        "It works once, within 3 days.\n\n"
        "If you did not ask for it, you can ignore this message.\n"
    )


async def test_an_unreachable_smtp_server_gives_a_clear_error(
    settings: Settings, aiohttp_client: AiohttpClient
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    broken = replace(settings, email=replace(settings.email, mode="smtp", host="127.0.0.1", port=closed_port))
    async with open_services(broken, monotonic=FakeMonotonic()) as services:
        client = await aiohttp_client(create_app(services, settings.api.max_body_bytes))
        response = await client.post(
            "/api/sign-up", json={"email_address": "ryan@example.com", "display_name": "Ryan", "agreed_with_TOS": True}
        )
        assert response.status == 503
        body = await response.json()
    assert body["success"] is False
    assert body["message"] == "We could not send the e-mail just now. Please ask for a new code in a minute."


async def test_outbox_mailer_appends_each_message(tmp_path: Path) -> None:
    outbox = tmp_path / "mail" / "outbox.txt"
    mailer = OutboxMailer(outbox, "bot@example.com")
    await mailer.send("a@example.com", "First", "one\n")
    await mailer.send("b@example.com", "Second", "two\n")
    messages = outbox_messages(outbox)
    assert [(m["From"], m["To"], m["Subject"], body_of(m)) for m in messages] == [
        ("bot@example.com", "a@example.com", "First", "one\n"),
        ("bot@example.com", "b@example.com", "Second", "two\n"),
    ]
