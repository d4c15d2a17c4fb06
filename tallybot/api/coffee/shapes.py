"""The coffee API's JSON shapes: its error, its objects, and the parameters of its routes.

Dates are written in the group's timezone with a numeric offset, as the spec writes them:
``2014-03-27T09:00:00-0700``. Parameters may come as JSON, as a form, or on GET as the
query string.
"""

from typing import Annotated, Literal, NotRequired, TypedDict

from tallybot.core.coffee import MAX_TIMEZONE_OFFSET
from tallybot.core.wire import Meta

LocalDate = Annotated[str, Meta(examples=["2014-03-27T09:00:00-0700"])]
GroupId = Annotated[int, Meta(minimum=1)]
TimezoneName = Annotated[
    str,
    Meta(
        description="An IANA timezone name such as America/Los_Angeles, or a fixed offset as a group's timezone "
        "may read (UTC+05:30). Wins over timezone_offset when both are given.",
        examples=["America/Los_Angeles"],
    ),
]
TimezoneOffset = Annotated[
    int,
    Meta(
        minimum=-MAX_TIMEZONE_OFFSET,
        maximum=MAX_TIMEZONE_OFFSET,
        multipleOf=60,
        description="Seconds east of UTC, as the app sends it (new Date().getTimezoneOffset() * -60). The group "
        "gets a zone with that fixed offset: UTC for 0, IANA's Etc/GMT-N for a whole number of hours from 12 west "
        "to 14 east (the sign inverted, as POSIX writes it: 7200 is Etc/GMT-2), and UTC+05:30 for any other. "
        "Ignored when timezone is given.",
        examples=[7200],
    ),
]


class Problem(TypedDict):
    """What is wrong with one parameter."""

    type: str
    message: str


class CoffeeErrorDetail(TypedDict):
    """The error; ``parameters`` maps each bad parameter (or ``headers.authorization``) to its problems."""

    type: str
    message: str
    parameters: dict[str, list[Problem]]


class CoffeeError(TypedDict):
    """Any failure; the coffee API answers it with HTTP 200."""

    error: CoffeeErrorDetail


class ProfileJson(TypedDict):
    """A person's basic profile."""

    user_id: int
    username: str
    display_name: str
    avatar_url: str | None


class SignedIn(ProfileJson):
    """The access token for every other route, and whose it is."""

    access_token: str


class AuthorizeUrl(TypedDict):
    """Where to send the user to sign in with the provider."""

    authorize_url: str


class StatusOk(TypedDict):
    """Done."""

    status: Literal["ok"]


class MemberJson(ProfileJson):
    """A member of a group, with their balance in it: coffees bought for others less coffees received."""

    active: bool
    user_balance: int


class MemberBalance(MemberJson):
    """A member's balance in a group, beside the group's lowest and highest."""

    max_balance: int
    min_balance: int


class GroupJson(TypedDict):
    """A group's id, name and timezone."""

    group_id: int
    group_name: str
    timezone: str


class GroupStandingJson(GroupJson):
    """A group with the viewer's balance in it."""

    user_balance: int
    min_balance: int
    max_balance: int


class GroupList(TypedDict):
    """The viewer's groups."""

    groups: list[GroupStandingJson]


class TeamJson(TypedDict):
    """A team a group can be made from: a GitHub team's number, or a community's name."""

    github_id: int | str
    name: str
    org: str
    members: int


class TeamList(TypedDict):
    """The teams the viewer can make a group from."""

    teams: list[TeamJson]


class EntryJson(TypedDict):
    """A transaction, with its summary for the viewer."""

    transaction_id: int
    from_user_id: int
    to_user_id: int
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    amount: int
    note: str | None
    date: LocalDate
    location_date: LocalDate | None
    created_by: int
    summary: str


class GroupInfoJson(GroupJson):
    """A group's balances, users and latest transactions."""

    user_balance: int
    min_balance: int
    max_balance: int
    users: list[MemberJson]
    transactions: list[EntryJson]


class GroupUpdated(GroupJson):
    """A re-synced group and who joined or left it."""

    users_added: list[ProfileJson]
    users_removed: list[ProfileJson]


class HistoryJson(GroupJson):
    """A page of a group's transactions, newest first."""

    transactions: list[EntryJson]
    has_more: bool


class CallbackCreated(TypedDict):
    """A new callback (or ``already_active``); ``secret`` (shown once) signs its calls when none was given."""

    status: Annotated[str, Meta(enum=["ok", "already_active"])]
    secret: NotRequired[str]


class CallbackJson(TypedDict):
    """A callback and how its latest call went (all null before the first)."""

    url: str
    last_request_date: LocalDate | None
    last_response_date: LocalDate | None
    last_response_status: Annotated[str, Meta(enum=["ok", "error", "timeout"])] | None
    last_response_status_code: int | None


class CallbackList(TypedDict):
    """A group's callbacks."""

    callbacks: list[CallbackJson]


class CallbackStatusJson(CallbackJson):
    """A callback with the raw request and response of its latest call."""

    request: str | None
    response: str | None


class AuthCode(TypedDict):
    """A provider's OAuth code; GitHub unless ``provider`` says otherwise."""

    code: str
    provider: NotRequired[str]


class ProviderQuery(TypedDict, total=False):
    """Which provider to sign in with."""

    provider: str


class Device(TypedDict):
    """A device's push token for its uuid."""

    uuid: str
    token: str
    token_type: Annotated[str, Meta(description="apns_production, apns_sandbox or gcm")]


class GroupQuery(TypedDict):
    """Which group."""

    group_id: GroupId


class NewGroup(TypedDict):
    """A group made from a team of /1/team/list, in UTC unless ``timezone`` or ``timezone_offset`` says otherwise."""

    github_team_id: int | str
    name: NotRequired[str]
    timezone: NotRequired[TimezoneName]
    timezone_offset: NotRequired[TimezoneOffset]


class GroupChange(TypedDict):
    """A group to re-sync, optionally renamed or moved to another ``timezone`` (or ``timezone_offset``)."""

    group_id: GroupId
    name: NotRequired[str]
    timezone: NotRequired[TimezoneName]
    timezone_offset: NotRequired[TimezoneOffset]


class NewTransaction(TypedDict):
    """``amount`` coffees between the viewer and ``user_id``; negative when the other one bought."""

    group_id: GroupId
    user_id: Annotated[int, Meta(minimum=1)]
    amount: int
    note: NotRequired[str]
    latitude: NotRequired[float]
    longitude: NotRequired[float]
    accuracy: NotRequired[float]
    location_date: NotRequired[LocalDate]
    date: NotRequired[LocalDate]


class TransactionQuery(TypedDict):
    """Which transaction: an id from a group's ``transactions``."""

    transaction_id: Annotated[int, Meta(minimum=1)]


class HistoryQuery(TypedDict):
    """A group and where the page starts."""

    group_id: GroupId
    before_id: NotRequired[Annotated[int, Meta(minimum=1)]]
    after_id: NotRequired[Annotated[int, Meta(minimum=0)]]
    limit: NotRequired[int]


class UserQuery(TypedDict, total=False):
    """Whose profile (the viewer's by default), and in which group."""

    user_id: Annotated[int, Meta(minimum=1)]
    group_id: GroupId


class NewCallback(TypedDict):
    """A URL to call for each new transaction of the group; a secret signs the calls."""

    group_id: GroupId
    url: str
    secret: NotRequired[str]


class CallbackQuery(TypedDict):
    """A group's callback."""

    group_id: GroupId
    url: str
