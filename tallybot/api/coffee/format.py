"""The coffee API's shapes: its error contract, the JSON of its objects, and its request helpers.

Every answer is HTTP 200. An error is ``{"error": {"type", "message", "parameters"}}``,
where ``parameters`` maps each bad parameter (or ``headers.authorization``) to a list of
``{"type", "message"}`` problems.
"""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from tallybot.api.coffee.shapes import (
    CallbackJson,
    CallbackStatusJson,
    CoffeeError,
    EntryJson,
    GroupInfoJson,
    GroupJson,
    MemberJson,
    Problem,
    ProfileJson,
    TeamJson,
)
from tallybot.api.params import Params, community, principal
from tallybot.core.coffee import Callback, Entry, Group, GroupInfo, Member, Profile, Team, group_zone
from tallybot.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from tallybot.core.events import WebhookRequest, WebhookResponse
from tallybot.core.models import Community

AUTHORIZATION = "headers.authorization"

_ERROR_TYPES: tuple[tuple[type[DomainError], str], ...] = (
    (NotFound, "not_found"),
    (Conflict, "conflict"),
    (Unauthorized, "unauthorized"),
    (Forbidden, "forbidden"),
    (RateLimited, "rate_limited"),
    (Unavailable, "unavailable"),
)
_HTTP_TYPES = {
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "request_too_large",
    415: "unsupported_media_type",
}


def _error_type(status: int, error: DomainError | None) -> str:
    if error is None:
        return _HTTP_TYPES.get(status, "server_error" if status >= 500 else "invalid_request")
    if isinstance(error, Invalid):
        return "invalid_parameters" if error.fields else "invalid_request"
    return next((name for kind, name in _ERROR_TYPES if isinstance(error, kind)), "error")


def _parameters(message: str, error: DomainError | None) -> dict[str, list[Problem]]:
    if isinstance(error, Invalid):
        return {
            name: [
                {"type": "missing" if problem == "is required" else "invalid", "message": f"{name} {problem}"}
                for problem in problems
            ]
            for name, problems in error.fields.items()
        }
    if error is not None and "parameter" in error.details:
        problem = error.details.get("problem", _error_type(0, error))
        return {error.details["parameter"]: [{"type": problem, "message": message}]}
    return {}


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """Any failure in the coffee error format, always with HTTP 200."""
    body: CoffeeError = {
        "error": {"type": _error_type(status, error), "message": message, "parameters": _parameters(message, error)}
    }
    return web.json_response(body)


async def viewer_id(request: web.Request) -> int:
    """The person behind the bearer token; every failure is reported under ``headers.authorization``."""
    try:
        asker = await principal(request)
    except Unauthorized as exc:
        raise Unauthorized(str(exc), {"parameter": AUTHORIZATION, "problem": "missing"}) from None
    except Forbidden as exc:
        raise Unauthorized(str(exc), {"parameter": AUTHORIZATION, "problem": "invalid"}) from None
    if asker.person is None:
        message = "This needs a person's access token from /1/auth, not an API token"
        raise Unauthorized(message, {"parameter": AUTHORIZATION, "problem": "invalid"})
    return asker.person.id


async def scope(request: web.Request) -> Community | None:
    """The community of a ``/c/{community}/1/...`` path; None on the plain ``/1/...`` paths."""
    return await community(request) if "community" in request.match_info else None


async def one_row(request: web.Request, name: str) -> tuple[int, int, Community | None]:
    """Who asks about one row, its id (parameter ``name``, a whole number from 1) and the path's community."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    row_id = params.integer(name, minimum=1)
    params.check()
    return viewer, row_id, await scope(request)


def moment(params: Params, name: str) -> datetime | None:
    """An optional ISO 8601 date with a UTC offset, such as ``2014-04-04T09:43:00-0700``."""
    text = params.optional_string(name, max_length=64)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        params.problems.setdefault(name, []).append("must be an ISO 8601 date with a UTC offset")
        return None
    return parsed


def team_key(params: Params, value: Any) -> str:
    """``github_team_id``: a GitHub team's number, or the name of a Discord or Twitch community."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 200:
        return value.strip()
    problem = "is required" if value is None or value == "" else "must be a team id from /1/team/list"
    params.problems.setdefault("github_team_id", []).append(problem)
    return ""


def local_time(at: datetime, timezone: str) -> str:
    """``2014-03-27T09:00:00-0700``: a moment in the group's timezone, as the spec writes dates."""
    return at.astimezone(group_zone(timezone)).strftime("%Y-%m-%dT%H:%M:%S%z")


def profile_json(profile: Profile) -> ProfileJson:
    """A person's basic profile."""
    return {
        "user_id": profile.person_id,
        "username": profile.username,
        "display_name": profile.display_name,
        "avatar_url": profile.avatar_url,
    }


def member_json(member: Member) -> MemberJson:
    """A member in a group's user list, with their balance in that group."""
    return {**profile_json(member.profile), "active": member.active, "user_balance": member.balance}


def group_json(group: Group) -> GroupJson:
    """A group's id, name and timezone."""
    return {"group_id": group.id, "group_name": group.name, "timezone": group.timezone}


def team_json(team: Team) -> TeamJson:
    """A team a group can be made from."""
    return {"github_id": team.key, "name": team.name, "org": team.org, "members": team.members}


def entry_json(entry: Entry, timezone: str) -> EntryJson:
    """A transaction with its summary for the viewer."""
    row = entry.transaction
    return {
        "transaction_id": row.id,
        "from_user_id": row.from_person_id,
        "to_user_id": row.to_person_id,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "accuracy": row.accuracy,
        "amount": row.amount,
        "note": row.note,
        "date": local_time(row.created_at, timezone),
        "location_date": None if row.location_date is None else local_time(row.location_date, timezone),
        "created_by": row.created_by,
        "summary": entry.summary,
    }


def group_info_json(info: GroupInfo) -> GroupInfoJson:
    """What /1/group/info and /1/transaction/create return."""
    timezone = info.group.timezone
    return {
        **group_json(info.group),
        "user_balance": info.viewer.balance,
        "min_balance": info.min_balance,
        "max_balance": info.max_balance,
        "users": [member_json(member) for member in info.members],
        "transactions": [entry_json(entry, timezone) for entry in info.entries],
    }


def _request_text(request: WebhookRequest) -> str:
    parts = urlsplit(request.url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    headers = "".join(f"{name}: {value}\n" for name, value in {"Host": parts.netloc, **request.headers}.items())
    return f"POST {target} HTTP/1.1\n{headers}\n{request.body}"


def _response_text(response: WebhookResponse) -> str:
    if response.status is None:
        return response.error or ""
    headers = "".join(f"{name}: {value}\n" for name, value in response.headers.items())
    return f"HTTP/1.1 {response.status} {response.reason}\n{headers}\n{response.body}"


def callback_json(callback: Callback, timezone: str) -> CallbackJson:
    """A callback and how its latest delivery went (all null before the first one)."""
    last = callback.last
    answered = last is not None and last.response.status is not None
    return {
        "url": callback.url,
        "last_request_date": None if last is None else local_time(last.sent_at, timezone),
        "last_response_date": (
            local_time(last.sent_at + timedelta(milliseconds=last.response.duration_ms), timezone)
            if last is not None and answered
            else None
        ),
        "last_response_status": None if last is None else last.outcome.value,
        "last_response_status_code": None if last is None else last.response.status,
    }


def callback_status_json(callback: Callback, timezone: str) -> CallbackStatusJson:
    """A callback with the raw request and response of its latest delivery."""
    last = callback.last
    return {
        **callback_json(callback, timezone),
        "request": None if last is None else _request_text(last.request),
        "response": None if last is None else _response_text(last.response),
    }
