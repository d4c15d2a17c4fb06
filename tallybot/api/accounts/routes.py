"""The accounts API (spec: accounts-api.rst): sign-up, confirmation codes and sessions.

Every reply is the envelope ``{success, message, reply_timestamp, ...}``. Business
failures keep HTTP 200 with ``success: false``, as the spec shows; a request that cannot
be read gets 400, and too many attempts get 429.
"""

from aiohttp import web

from tallybot.api.accounts.shapes import (
    CodeCredentials,
    Confirmed,
    Credentials,
    Done,
    EmailAddress,
    Failure,
    SessionEnded,
    SessionStarted,
    SessionToken,
    SignedUp,
    SignUp,
    failure,
    person_json,
    reply_timestamp,
    session_json,
)
from tallybot.api.keys import SERVICES
from tallybot.api.openapi.operations import SESSION, SpecDoc
from tallybot.api.params import Params, bearer_token, client_address, community
from tallybot.core.accounts import IssuedSession
from tallybot.core.errors import DomainError, Malformed

PREFIX = "/api"
routes = web.RouteTableDef()
# Only these statuses survive; every other failure is HTTP 200 with success: false.
API = SpecDoc("Accounts", Failure, ids="accounts", kept=(400, 408, 413, 429, 503))


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """Failures in the accounts envelope; business failures stay HTTP 200."""
    if error is not None and not isinstance(error, Malformed) and status not in (429, 503):
        status = 200
    return web.json_response(failure(message), status=status)


def _session_started(request: web.Request, issued: IssuedSession) -> web.Response:
    body: SessionStarted = {
        "success": True,
        "message": f"Session created and will expire on {issued.session.expires}",
        "reply_timestamp": reply_timestamp(),
        "person": person_json(issued.person),
        "session": session_json(issued.session, issued.token, request.config_dict[SERVICES].clock()),
    }
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
@API({200: SessionStarted}, errors=(400, 401), query=SessionToken, security=SESSION, optional_auth=True)
async def verify_session_uuid(request: web.Request) -> web.Response:
    """Check that a session token is live."""
    token = await _session_token(request)
    services = request.config_dict[SERVICES]
    session, person = await services.accounts.verify_session(token)
    body: SessionStarted = {
        "success": True,
        "message": "Session verified",
        "reply_timestamp": reply_timestamp(),
        "person": person_json(person),
        "session": session_json(session, token, services.clock()),
    }
    return web.json_response(body)


@routes.post("/start-session")
@routes.post("/login")
@routes.post("/log-in")
@routes.post("/authenticate")
@API({200: SessionStarted}, errors=(401, 429), request=Credentials, form=True)
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
@API({200: SessionEnded}, errors=(401,), request=SessionToken, form=True, security=SESSION, optional_auth=True)
async def end_session(request: web.Request) -> web.Response:
    """Expire a session at once."""
    token = await _session_token(request)
    services = request.config_dict[SERVICES]
    session = await services.accounts.end_session(token)
    body: SessionEnded = {
        "success": True,
        "message": f"Ended session {token}.",
        "reply_timestamp": reply_timestamp(),
        "session": session_json(session, token, services.clock()),
    }
    return web.json_response(body)


@routes.post("/sign-up")
@routes.post("/signup")
@API({200: SignedUp}, errors=(404, 409, 429, 503), request=SignUp, form=True)
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
    body: SignedUp = {
        "success": True,
        "message": "Go check your email!",
        "reply_timestamp": reply_timestamp(),
        "inserted_person": person_json(person),
    }
    return web.json_response(body)


@routes.post("/confirm-email")
@API({200: Confirmed}, errors=(401, 404, 429), request=CodeCredentials, form=True)
async def confirm_email(request: web.Request) -> web.Response:
    """Confirm an e-mail address with the code that was mailed to it."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    code = params.string("confirmation_code", max_length=20)
    params.check()
    person = await request.config_dict[SERVICES].accounts.confirm_email(email, code, client_address(request))
    body: Confirmed = {
        "success": True,
        "message": f"You ({person.display_name}) are now confirmed!",
        "reply_timestamp": reply_timestamp(),
        "confirmed_person": person_json(person),
    }
    return web.json_response(body)


@routes.post("/start-session-with-confirmation-code")
@API(
    {200: SessionStarted},
    errors=(401, 403, 404, 409, 429),
    request=CodeCredentials,
    form=True,
    security=SESSION,
    optional_auth=True,
)
async def start_session_with_confirmation_code(request: web.Request) -> web.Response:
    """Sign in with a mailed confirmation code, or with a link code a chat user got by direct message.

    Linking to an address that belongs to another account also needs that account's
    session as the bearer token (see docs/chat.md).
    """
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    code = params.string("confirmation_code", max_length=20)
    params.check()
    chat = request.config_dict[SERVICES].chat
    issued = await chat.start_session_with_code(email, code, bearer_token(request), client_address(request))
    return _session_started(request, issued)


@routes.post("/send-confirmation-code")
@API({200: (Done, Failure)}, errors=(429, 503), request=EmailAddress, form=True)
async def send_confirmation_code(request: web.Request) -> web.Response:
    """Mail a fresh confirmation code (the same answer whether or not the address is known)."""
    params = await Params.of(request)
    email = params.string("email_address", max_length=320)
    params.check()
    sent_to = await request.config_dict[SERVICES].accounts.send_confirmation_code(email, client_address(request))
    body: Done = {
        "success": True,
        "message": f"Sent a confirmation code to {sent_to}!",
        "reply_timestamp": reply_timestamp(),
    }
    return web.json_response(body)
