"""The accounts API (spec: accounts-api.rst): sign-up, confirmation codes and sessions.

Every reply is the envelope ``{success, message, reply_timestamp, ...}``. Business
failures keep HTTP 200 with ``success: false``, as the spec shows; a request that cannot
be read gets 400, and too many attempts get 429.
"""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.params import Params, bearer_token, client_address, community
from tallybot.core.errors import DomainError, Malformed
from tallybot.core.models import AuthSession, IssuedSession, Person

PREFIX = "/api"
routes = web.RouteTableDef()


def _envelope(success: bool, message: str, **objects: Any) -> dict[str, Any]:
    return {"success": success, "message": message, "reply_timestamp": datetime.now(UTC).isoformat(), **objects}


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """Failures in the accounts envelope; business failures stay HTTP 200."""
    if error is not None and not isinstance(error, Malformed) and status not in (429, 503):
        status = 200
    return web.json_response(_envelope(False, message), status=status)


def _person(person: Person) -> dict[str, Any]:
    return {"display_name": person.display_name, "email_address": person.email_address, "person_uuid": person.uuid}


def _session(session: AuthSession, token: str, now: datetime) -> dict[str, Any]:
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


def _session_started(request: web.Request, issued: IssuedSession) -> web.Response:
    message = f"Session created and will expire on {issued.session.expires}"
    session = _session(issued.session, issued.token, request.config_dict[SERVICES].clock())
    body = _envelope(True, message, person=_person(issued.person), session=session)
    return web.json_response(body)


async def _session_token(request: web.Request) -> str:
    """The ``session_uuid`` parameter, or else the bearer token."""
    params = await Params.of(request)
    token = params.optional_string("session_uuid", max_length=200) or bearer_token(request)
    params.check()
    if token is None:
        raise Malformed("session_uuid is required", {"session_uuid": ["is required"]})
    return token


@routes.get("/verify-session-uuid")
async def verify_session_uuid(request: web.Request) -> web.Response:
    """Check that a session token is live."""
    token = await _session_token(request)
    services = request.config_dict[SERVICES]
    session, person = await services.accounts.verify_session(token)
    body = _envelope(
        True, "Session verified", person=_person(person), session=_session(session, token, services.clock())
    )
    return web.json_response(body)


@routes.post("/start-session")
@routes.post("/login")
@routes.post("/log-in")
@routes.post("/authenticate")
async def start_session(request: web.Request) -> web.Response:
    """Sign in with e-mail address and password."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    password = params.string("password", max_length=1000)
    params.check()
    accounts = request.config_dict[SERVICES].accounts
    return _session_started(request, await accounts.start_session(email, password, client_address(request)))


@routes.post("/end-session")
@routes.post("/logout")
async def end_session(request: web.Request) -> web.Response:
    """Expire a session at once."""
    token = await _session_token(request)
    services = request.config_dict[SERVICES]
    session = await services.accounts.end_session(token)
    body = _envelope(True, f"Ended session {token}.", session=_session(session, token, services.clock()))
    return web.json_response(body)


@routes.post("/sign-up")
@routes.post("/signup")
async def sign_up(request: web.Request) -> web.Response:
    """Create an account and mail a confirmation code."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    display_name = params.string("display_name", max_length=200)
    agreed = params.boolean("agreed_with_TOS")
    password = params.optional_string("password", max_length=1000)
    params.check()
    accounts = request.config_dict[SERVICES].accounts
    where = await community(request)
    person = await accounts.sign_up(where, email, display_name, agreed, password, client_address(request))
    return web.json_response(_envelope(True, "Go check your email!", inserted_person=_person(person)))


@routes.post("/confirm-email")
async def confirm_email(request: web.Request) -> web.Response:
    """Confirm an e-mail address with the code that was mailed to it."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    code = params.string("confirmation_code", max_length=20)
    params.check()
    person = await request.config_dict[SERVICES].accounts.confirm_email(email, code, client_address(request))
    message = f"You ({person.display_name}) are now confirmed!"
    return web.json_response(_envelope(True, message, confirmed_person=_person(person)))


@routes.post("/start-session-with-confirmation-code")
async def start_session_with_confirmation_code(request: web.Request) -> web.Response:
    """Sign in with a mailed confirmation code."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    code = params.string("confirmation_code", max_length=20)
    params.check()
    accounts = request.config_dict[SERVICES].accounts
    return _session_started(request, await accounts.start_session_with_code(email, code, client_address(request)))


@routes.post("/send-confirmation-code")
async def send_confirmation_code(request: web.Request) -> web.Response:
    """Mail a fresh confirmation code (the same answer whether or not the address is known)."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    params.check()
    sent_to = await request.config_dict[SERVICES].accounts.send_confirmation_code(email, client_address(request))
    return web.json_response(_envelope(True, f"Sent a confirmation code to {sent_to}!"))
