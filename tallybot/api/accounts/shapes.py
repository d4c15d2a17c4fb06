"""The accounts API's shapes: the ``{success, message, reply_timestamp, ...}`` envelope and what it carries."""

from datetime import UTC, datetime
from typing import Literal, NotRequired, TypedDict

from tallybot.core.accounts import AuthSession
from tallybot.core.models import Person


class Failure(TypedDict):
    """A request that did not succeed; ``message`` says why."""

    success: Literal[False]
    message: str
    reply_timestamp: str


class Done(TypedDict):
    """A request that succeeded."""

    success: Literal[True]
    message: str
    reply_timestamp: str


class PersonJson(TypedDict):
    """A person with an account."""

    display_name: str
    email_address: str | None
    person_uuid: str


class AccountSessionJson(TypedDict):
    """A session; ``session_uuid`` is its bearer token."""

    expired: bool
    expires: str
    inserted: str
    news_message: None
    person_uuid: str
    redirect_to_url: None
    session_uuid: str
    updated: str | None


class SessionStarted(Done):
    """A live session and whose it is."""

    person: PersonJson
    session: AccountSessionJson


class SessionEnded(Done):
    """The session, now expired."""

    session: AccountSessionJson


class SignedUp(Done):
    """The new account; a confirmation code is on its way."""

    inserted_person: PersonJson


class Confirmed(Done):
    """The account whose address is now confirmed."""

    confirmed_person: PersonJson


class EmailAddress(TypedDict):
    """Where to send a new confirmation code."""

    email_address: str


class Credentials(TypedDict):
    """An e-mail address and its password."""

    email_address: str
    password: str


class CodeCredentials(TypedDict):
    """An e-mail address and the 4-digit code mailed to it (or a chat link code)."""

    email_address: str
    confirmation_code: str


class SignUp(TypedDict):
    """A new account; a password is optional, as codes can start sessions."""

    email_address: str
    display_name: str
    agreed_with_TOS: bool
    password: NotRequired[str | None]


class SessionToken(TypedDict, total=False):
    """The session, as ``session_uuid`` or else as the bearer token."""

    session_uuid: str


def reply_timestamp() -> str:
    """When the reply was made."""
    return datetime.now(UTC).isoformat()


def failure(message: str) -> Failure:
    """A failure envelope."""
    return {"success": False, "message": message, "reply_timestamp": reply_timestamp()}


def person_json(person: Person) -> PersonJson:
    """A person as the spec shows one."""
    return {"display_name": person.display_name, "email_address": person.email_address, "person_uuid": person.uuid}


def session_json(session: AuthSession, token: str, now: datetime) -> AccountSessionJson:
    """A session as the spec shows one."""
    return {
        "expired": session.is_expired(now),
        "expires": session.expires.isoformat(),
        "inserted": session.inserted.isoformat(),
        "news_message": None,
        "person_uuid": session.person_uuid,
        "redirect_to_url": None,
        "session_uuid": token,
        "updated": None if session.updated is None else session.updated.isoformat(),
    }
