"""The coffee scoreboard's values, and the rules that need no database.

A transaction is stored the way it reads: ``from`` bought ``to`` a positive number of
coffees. Balances are zero-sum: the buyer's goes up by the amount, the other's down.
"""

from dataclasses import dataclass
from datetime import datetime

from tallybot.core.coffee.timezones import timezone_problems
from tallybot.core.models import Platform, Provider

TOKEN_TYPES = ("apns_production", "apns_sandbox", "gcm")
SIGN_IN_PROVIDERS = (Provider.GITHUB, Provider.DISCORD, Provider.TWITCH)
CHAT_PLATFORMS = (Platform.DISCORD, Platform.TWITCH)
MAX_AMOUNT = 1000
MAX_NOTE = 500
GROUP_INFO_TRANSACTIONS = 20
MAX_HISTORY_PAGE = 100
# What a request that leaves these out gets; adapters pass None (or nothing) rather than choose.
DEFAULT_TIMEZONE = "UTC"
DEFAULT_PROVIDER = Provider.GITHUB
DEFAULT_AMOUNT = 1
DEFAULT_HISTORY_PAGE = GROUP_INFO_TRANSACTIONS
# The one rule that nobody buys themselves coffee, as the problem with ``user_id``.
NOT_YOURSELF = "can't be yourself"


@dataclass(frozen=True)
class OAuthUser:
    """A person as a sign-in provider describes them."""

    external_id: str
    username: str
    display_name: str
    avatar_url: str | None


@dataclass(frozen=True)
class OAuthTeam:
    """A GitHub team the signed-in user belongs to, with its members."""

    github_id: int
    name: str
    org: str
    members: tuple[OAuthUser, ...]


@dataclass(frozen=True)
class OAuthProfile:
    """What a provider told us about the person who signed in. Its access token stays behind."""

    provider: Provider
    user: OAuthUser
    teams: tuple[OAuthTeam, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """A new tallybot session for the person who signed in; the token is shown this once."""

    token: str
    profile: "Profile"


@dataclass(frozen=True)
class Profile:
    """The public face of a person in the scoreboard."""

    person_id: int
    username: str
    display_name: str
    avatar_url: str | None


@dataclass(frozen=True)
class Member:
    """A person's standing in one group."""

    profile: Profile
    balance: int
    active: bool


@dataclass(frozen=True)
class Team:
    """Something a group can be made from: a GitHub team (int key) or a chat community (its slug)."""

    key: int | str
    name: str
    org: str
    members: int


@dataclass(frozen=True)
class Group:
    """A coffee group. ``github_id`` is None when its members come from its community."""

    id: int
    community_id: int
    github_id: int | None
    name: str
    timezone: str


@dataclass(frozen=True)
class GroupStanding:
    """A group as one member sees it in a list: their balance and the group's range."""

    group: Group
    user_balance: int
    min_balance: int
    max_balance: int


@dataclass(frozen=True)
class CoffeeTransaction:
    """``from_person_id`` bought ``to_person_id`` ``amount`` coffees."""

    id: int
    group_id: int
    from_person_id: int
    to_person_id: int
    amount: int
    note: str | None
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    location_date: datetime | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class Entry:
    """A transaction with its summary, written for one viewer."""

    transaction: CoffeeTransaction
    summary: str


@dataclass(frozen=True)
class GroupInfo:
    """A group, every member, and the latest transactions, for one viewer."""

    group: Group
    viewer: Member
    min_balance: int
    max_balance: int
    members: tuple[Member, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class HistoryPage:
    """A page of a group's transactions, newest first."""

    group: Group
    entries: tuple[Entry, ...]
    has_more: bool


@dataclass(frozen=True)
class Resync:
    """What re-syncing a group's members changed."""

    group: Group
    added: tuple[Profile, ...]
    removed: tuple[Profile, ...]


@dataclass(frozen=True)
class UserInfo:
    """A person's profile, and their standing in a group when one was asked about."""

    profile: Profile
    member: Member | None = None
    min_balance: int = 0
    max_balance: int = 0


@dataclass(frozen=True)
class ChatCoffee:
    """Coffees recorded from chat: the summary as the buyer reads it, and the buyer's balance now."""

    summary: str
    balance: int


@dataclass(frozen=True)
class Board:
    """A community's chat group as a leaderboard: the highest balances (the most generous) first.

    ``more`` counts the members left off the board.
    """

    group: Group
    leaders: tuple[Member, ...]
    more: int


def coffees(amount: int) -> str:
    """``1 coffee``, ``3 coffees``."""
    return f"{amount} coffee" if amount == 1 else f"{amount} coffees"


def summary(viewer_id: int, transaction: CoffeeTransaction, names: dict[int, str]) -> str:
    """The transaction from the viewer's point of view: "You bought Ryan 3 coffees"."""
    buyer = "You" if transaction.from_person_id == viewer_id else names.get(transaction.from_person_id, "Someone")
    receiver = "you" if transaction.to_person_id == viewer_id else names.get(transaction.to_person_id, "someone")
    return f"{buyer} bought {receiver} {coffees(transaction.amount)}"


def balance_range(members: tuple[Member, ...]) -> tuple[int, int]:
    """The lowest and highest balance over a group's members (0, 0 for nobody)."""
    balances = [member.balance for member in members]
    return (min(balances), max(balances)) if balances else (0, 0)


def transaction_problems(
    amount: int, note: str | None, latitude: float | None, longitude: float | None, accuracy: float | None
) -> dict[str, list[str]]:
    """Rule breaches in a new transaction's own fields, by parameter name."""
    problems: dict[str, list[str]] = {}
    if amount == 0:
        problems["amount"] = ["must not be zero"]
    elif abs(amount) > MAX_AMOUNT:
        problems["amount"] = [f"must be from -{MAX_AMOUNT} to {MAX_AMOUNT}"]
    if note is not None and len(note) > MAX_NOTE:
        problems["note"] = [f"must be at most {MAX_NOTE} characters"]
    if latitude is not None and not -90 <= latitude <= 90:
        problems["latitude"] = ["must be from -90 to 90"]
    if longitude is not None and not -180 <= longitude <= 180:
        problems["longitude"] = ["must be from -180 to 180"]
    if accuracy is not None and accuracy < 0:
        problems["accuracy"] = ["must not be negative"]
    return problems


def group_problems(name: str | None, timezone: str | None, timezone_offset: int | None) -> dict[str, list[str]]:
    """Rule breaches in a group's name, timezone or timezone offset, by parameter name."""
    problems: dict[str, list[str]] = {}
    if name is not None and not 1 <= len(name.strip()) <= 100:
        problems["name"] = ["must be 1 to 100 characters"]
    return {**problems, **timezone_problems(timezone, timezone_offset)}


def history_problems(limit: int) -> dict[str, list[str]]:
    """Rule breaches in a history page request."""
    if not 1 <= limit <= MAX_HISTORY_PAGE:
        return {"limit": [f"must be from 1 to {MAX_HISTORY_PAGE}"]}
    return {}


def device_problems(token_type: str) -> dict[str, list[str]]:
    """Rule breaches in a device registration."""
    if token_type not in TOKEN_TYPES:
        return {"token_type": [f"must be one of {', '.join(TOKEN_TYPES)}"]}
    return {}
