"""Mailers: the ``Mailer`` port as an SMTP client or as a local outbox file."""

import asyncio
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from tallybot.settings import EmailSettings


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="tallybot.local")
    message.set_content(body)
    return message


class OutboxMailer:
    """Appends each message to a local file, for machines that send no mail."""

    def __init__(self, path: Path, sender: str) -> None:
        self._path = path
        self._sender = sender
        self._lock = asyncio.Lock()

    async def send(self, to: str, subject: str, body: str) -> None:
        """Append one message, in mbox-like form, to the outbox file."""
        text = _message(self._sender, to, subject, body).as_string()
        async with self._lock:
            await asyncio.to_thread(self._append, f"From tallybot {datetime.now(UTC).isoformat()}\n{text}\n")

    def _append(self, text: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as outbox:
            outbox.write(text)


class SmtpMailer:
    """Sends through an SMTP server, with STARTTLS and login when configured."""

    def __init__(self, settings: EmailSettings) -> None:
        self._settings = settings

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send one message; raises OSError (smtplib's errors included) when it cannot."""
        message = _message(self._settings.sender, to, subject, body)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        settings = self._settings
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as client:
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(message)


def build_mailer(settings: EmailSettings) -> OutboxMailer | SmtpMailer:
    """The mailer that bot.toml's [email] section asks for."""
    if settings.mode == "smtp":
        return SmtpMailer(settings)
    return OutboxMailer(Path(settings.outbox_path), settings.sender)
