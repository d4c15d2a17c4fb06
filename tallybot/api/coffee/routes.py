"""The coffee scoreboard API (spec: coffee-api.md), under ``/1/``.

Parameters come as JSON, as a form, or as the query string on GET. Every answer is HTTP
200; errors use the spec's ``{"error": {"type", "message", "parameters"}}`` format (see
``coffee_format``). On ``/c/{community}/1/...`` the lists and group lookups are limited
to that community's groups; the plain ``/1/...`` paths cover all of the viewer's groups.
"""

from aiohttp import web

from tallybot.api.coffee.format import (
    callback_json,
    callback_status_json,
    entry_json,
    group_info_json,
    group_json,
    member_json,
    moment,
    one_row,
    profile_json,
    render_error,
    scope,
    team_json,
    team_key,
    viewer_id,
)
from tallybot.api.coffee.shapes import (
    AuthCode,
    AuthorizeUrl,
    CallbackCreated,
    CallbackList,
    CallbackQuery,
    CallbackStatusJson,
    CoffeeError,
    Device,
    GroupChange,
    GroupInfoJson,
    GroupJson,
    GroupList,
    GroupQuery,
    GroupUpdated,
    HistoryJson,
    HistoryQuery,
    MemberBalance,
    NewCallback,
    NewGroup,
    NewTransaction,
    ProfileJson,
    ProviderQuery,
    SignedIn,
    StatusOk,
    TeamList,
    TransactionQuery,
    UserQuery,
)
from tallybot.api.keys import SERVICES
from tallybot.api.openapi.operations import SESSION, SpecDoc, fallback
from tallybot.api.params import Params, client_address, community, read_body

PREFIX = "/1"
routes = web.RouteTableDef()
# Every failure is HTTP 200 with the coffee error; the statuses below only say which kinds occur.
API = SpecDoc("Coffee scoreboard", CoffeeError, ids="coffee", kept=())

__all__ = ["PREFIX", "render_error", "routes"]


@routes.post("/auth")
@API({200: SignedIn}, errors=(401, 429, 503), request=AuthCode, form=True)
async def auth(request: web.Request) -> web.Response:
    """Exchange a provider's OAuth code for a tallybot access token and the user's profile."""
    params = await Params.of(request)
    code = params.string("code", max_length=512)
    provider = params.optional_string("provider")
    params.check()
    signed_in = await request.config_dict[SERVICES].coffee.sign_in(provider, code, client_address(request))
    body: SignedIn = {"access_token": signed_in.token, **profile_json(signed_in.profile)}
    return web.json_response(body)


@routes.get("/auth/authorize")
@API({200: AuthorizeUrl}, errors=(400,), query=ProviderQuery)
async def authorize(request: web.Request) -> web.Response:
    """Where to send the user to sign in with a provider (GitHub unless ``provider`` says otherwise)."""
    params = await Params.of(request)
    provider = params.optional_string("provider")
    params.check()
    body: AuthorizeUrl = {"authorize_url": request.config_dict[SERVICES].coffee.authorize_url(provider)}
    return web.json_response(body)


@routes.post("/device/register")
@API({200: StatusOk}, request=Device, form=True, security=SESSION)
async def register_device(request: web.Request) -> web.Response:
    """Store a device's push token for its uuid, replacing any earlier one."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    device_uuid = params.string("uuid", max_length=200)
    token = params.string("token", max_length=4096)
    token_type = params.string("token_type")
    params.check()
    await request.config_dict[SERVICES].coffee.register_device(viewer, device_uuid, token, token_type)
    body: StatusOk = {"status": "ok"}
    return web.json_response(body)


@routes.get("/team/list")
@API({200: TeamList}, errors=(503,), security=SESSION)
async def team_list(request: web.Request) -> web.Response:
    """The teams and communities the user can make a group from."""
    viewer = await viewer_id(request)
    teams = await request.config_dict[SERVICES].coffee.teams(viewer)
    body: TeamList = {"teams": [team_json(team) for team in teams]}
    return web.json_response(body)


@routes.get("/group/list")
@API({200: GroupList}, security=SESSION)
async def group_list(request: web.Request) -> web.Response:
    """The user's groups with their balance in each."""
    viewer = await viewer_id(request)
    standings = await request.config_dict[SERVICES].coffee.groups(viewer, await scope(request))
    body: GroupList = {
        "groups": [
            {
                "group_name": standing.group.name,
                "timezone": standing.group.timezone,
                "group_id": standing.group.id,
                "user_balance": standing.user_balance,
                "min_balance": standing.min_balance,
                "max_balance": standing.max_balance,
            }
            for standing in standings
        ]
    }
    return web.json_response(body)


@routes.get("/group/info")
@API({200: GroupInfoJson}, errors=(400, 404), query=GroupQuery, security=SESSION)
async def group_info(request: web.Request) -> web.Response:
    """A group's balances, users and latest transactions."""
    viewer, group_id, where = await one_row(request, "group_id")
    info = await request.config_dict[SERVICES].coffee.group_info(viewer, group_id, where)
    return web.json_response(group_info_json(info))


@routes.post("/group/create")
@API({200: GroupJson}, errors=(403, 404, 409, 503), request=NewGroup, form=True, security=SESSION)
async def group_create(request: web.Request) -> web.Response:
    """Make a group from a team; every known member joins with balance 0."""
    viewer = await viewer_id(request)
    data, from_text = await read_body(request)
    params = Params(data, from_text)
    team = team_key(params, data.get("github_team_id"))
    name = params.optional_string("name")
    timezone = params.optional_string("timezone")
    offset = params.optional_integer("timezone_offset")
    coffee = request.config_dict[SERVICES].coffee
    home = await community(request)
    group = await coffee.create_group(viewer, home, team, name, timezone, offset, unreadable=params.problems)
    return web.json_response(group_json(group))


@routes.post("/group/update")
@API({200: GroupUpdated}, errors=(403, 404, 503), request=GroupChange, form=True, security=SESSION)
async def group_update(request: web.Request) -> web.Response:
    """Re-sync a group's members (and optionally rename it or change its timezone)."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    name = params.optional_string("name")
    timezone = params.optional_string("timezone")
    offset = params.optional_integer("timezone_offset")
    coffee = request.config_dict[SERVICES].coffee
    where = await scope(request)
    resync = await coffee.update_group(viewer, group_id, where, name, timezone, offset, unreadable=params.problems)
    body: GroupUpdated = {
        **group_json(resync.group),
        "users_added": [profile_json(profile) for profile in resync.added],
        "users_removed": [profile_json(profile) for profile in resync.removed],
    }
    return web.json_response(body)


@routes.post("/transaction/create")
@API({200: GroupInfoJson}, errors=(403, 404), request=NewTransaction, form=True, security=SESSION)
async def transaction_create(request: web.Request) -> web.Response:
    """Record coffees between the user and another member; returns the group info."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    user_id = params.integer("user_id", minimum=1)
    amount = params.integer("amount")
    note = params.optional_string("note")
    location = (
        params.optional_number("latitude"),
        params.optional_number("longitude"),
        params.optional_number("accuracy"),
        moment(params, "location_date") or moment(params, "date"),
    )
    info = await request.config_dict[SERVICES].coffee.create_transaction(
        viewer, group_id, await scope(request), user_id, amount, note, location, unreadable=params.problems
    )
    return web.json_response(group_info_json(info))


@routes.get("/transaction/info")
@API({200: GroupInfoJson}, errors=(400, 404), query=TransactionQuery, security=SESSION)
async def transaction_info(request: web.Request) -> web.Response:
    """One transaction, in its group's info: ``transactions`` holds only it, ``users`` the group's members.

    The shape is what /1/group/info answers, which the original app reads (``transactions[0]``,
    and its buyer and receiver among ``users``). Only members of the transaction's group get it;
    for anyone else it is not found, exactly as an id that does not exist.
    """
    viewer, transaction_id, where = await one_row(request, "transaction_id")
    info = await request.config_dict[SERVICES].coffee.transaction_info(viewer, transaction_id, where)
    return web.json_response(group_info_json(info))


@routes.get("/transaction/history")
@API({200: HistoryJson}, errors=(400, 404), query=HistoryQuery, security=SESSION)
async def transaction_history(request: web.Request) -> web.Response:
    """A page of a group's transactions, newest first, for paging with before_id and after_id."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    before_id = params.optional_integer("before_id", minimum=1)
    after_id = params.optional_integer("after_id", minimum=0)
    limit = params.optional_integer("limit")
    params.check()
    coffee = request.config_dict[SERVICES].coffee
    page = await coffee.history(viewer, group_id, await scope(request), before_id, after_id, limit)
    body: HistoryJson = {
        **group_json(page.group),
        "transactions": [entry_json(entry, page.group.timezone) for entry in page.entries],
        "has_more": page.has_more,
    }
    return web.json_response(body)


@routes.get("/user/info")
@API({200: (MemberBalance, ProfileJson)}, errors=(400, 404), query=UserQuery, security=SESSION)
async def user_info(request: web.Request) -> web.Response:
    """A user's profile (the caller's by default), with balances and activity in a group if given."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    user_id = params.optional_integer("user_id", minimum=1)
    group_id = params.optional_integer("group_id", minimum=1)
    params.check()
    info = await request.config_dict[SERVICES].coffee.user_info(viewer, user_id, group_id, await scope(request))
    if info.member is None:
        return web.json_response(profile_json(info.profile))
    body: MemberBalance = {
        **member_json(info.member),
        "max_balance": info.max_balance,
        "min_balance": info.min_balance,
    }
    return web.json_response(body)


@routes.post("/callback/create")
@API({200: CallbackCreated}, errors=(403, 404), request=NewCallback, form=True, security=SESSION)
async def callback_create(request: web.Request) -> web.Response:
    """Call a URL (signed, retried) for every new transaction of the group."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    url = params.string("url")
    secret = params.optional_string("secret")
    params.check()
    callbacks = request.config_dict[SERVICES].coffee.callbacks
    created = await callbacks.create(viewer, group_id, await scope(request), url, secret)
    body: CallbackCreated = {"status": created.status}
    if created.secret is not None:
        body["secret"] = created.secret
    return web.json_response(body)


@routes.get("/callback/list")
@API({200: CallbackList}, errors=(400, 404), query=GroupQuery, security=SESSION)
async def callback_list(request: web.Request) -> web.Response:
    """The group's callbacks and how their latest delivery went."""
    viewer, group_id, where = await one_row(request, "group_id")
    group, found = await request.config_dict[SERVICES].coffee.callbacks.of_group(viewer, group_id, where)
    body: CallbackList = {"callbacks": [callback_json(callback, group.timezone) for callback in found]}
    return web.json_response(body)


@routes.get("/callback/status")
@API({200: CallbackStatusJson}, errors=(400, 404), query=CallbackQuery, security=SESSION)
async def callback_status(request: web.Request) -> web.Response:
    """One callback's latest delivery: the request sent and the response received."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    url = params.string("url", max_length=2000)
    params.check()
    callbacks = request.config_dict[SERVICES].coffee.callbacks
    group, callback = await callbacks.status(viewer, group_id, await scope(request), url)
    return web.json_response(callback_status_json(callback, group.timezone))


@routes.post("/callback/remove")
@API({200: StatusOk}, errors=(404,), request=CallbackQuery, form=True, security=SESSION)
async def callback_remove(request: web.Request) -> web.Response:
    """Stop calling a URL for the group."""
    viewer = await viewer_id(request)
    params = await Params.of(request)
    group_id = params.integer("group_id", minimum=1)
    url = params.string("url", max_length=2000)
    params.check()
    await request.config_dict[SERVICES].coffee.callbacks.remove(viewer, group_id, await scope(request), url)
    body: StatusOk = {"status": "ok"}
    return web.json_response(body)


# Registered last, so that it only catches what no route above matched: an unknown path
# (or a known one asked with another method) under /1/ then gets the coffee error format
# instead of the root's.
@routes.route("*", "/{unknown:.*}")
@fallback("the coffee error (not_found or method_not_allowed), with HTTP 200, for any other path or method under /1/")
async def unknown_route(request: web.Request) -> web.Response:
    """Any other path or method under /1/."""
    path = "/" + request.match_info["unknown"]
    allowed = {route.method for route in routes if isinstance(route, web.RouteDef) and route.path == path}
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, sorted(allowed))
    raise web.HTTPNotFound()
