"""Who may see and change a coffee group, and how the coffee services word their refusals."""

from collections.abc import Mapping, Sequence

from tallybot.core.coffee.models import CHAT_PLATFORMS, CoffeeTransaction, Group, Member, Team
from tallybot.core.errors import DomainError, Forbidden, Invalid, NotFound
from tallybot.core.models import Community
from tallybot.core.ports import Transaction

# Problems by parameter name, as ``Invalid.fields`` holds them.
Problems = Mapping[str, Sequence[str]]


def invalid(problems: dict[str, list[str]]) -> Invalid:
    """One Invalid naming every bad parameter, in the same words as the API's own checks."""
    listed = "; ".join(f"{name} {' and '.join(found)}" for name, found in problems.items())
    return Invalid(f"Invalid parameters: {listed}", problems)


def check_parameters(*findings: Problems | None) -> None:
    """Raise one Invalid naming every problem in ``findings``, if there is any.

    A parameter named by several findings keeps the first one's problems: a caller's
    ``unreadable`` parameters come first, so that a rule never judges a value the caller
    could not read.
    """
    problems: dict[str, list[str]] = {}
    for found in findings:
        for name, listed in (found or {}).items():
            problems.setdefault(name, list(listed))
    if problems:
        raise invalid(problems)


def not_found(parameter: str, message: str) -> NotFound:
    """NotFound, naming the parameter that pointed at nothing."""
    return NotFound(message, {"parameter": parameter})


def member_of(
    members: Sequence[Member], person_id: int, missing: DomainError, *, inactive: DomainError | None = None
) -> Member:
    """The person's membership among a group's ``members``: the one lookup every coffee path makes.

    Raises ``missing`` when the person is not a member, and ``inactive`` (if given) when
    they left the group: members who left keep their balance and may still be read.
    """
    found = next((member for member in members if member.profile.person_id == person_id), None)
    if found is None:
        raise missing
    if inactive is not None and not found.active:
        raise inactive
    return found


def not_in_group(group_id: int) -> NotFound:
    """The viewer has no group with this id, as far as they may know."""
    return not_found("group_id", f"You are not in a group with id {group_id}")


async def load_membership(
    tx: Transaction,
    viewer_id: int,
    group_id: int,
    scope: Community | None,
    *,
    active: bool,
    unknown: DomainError | None = None,
) -> tuple[Group, list[Member], Member]:
    """The group, its members and the viewer's membership.

    Members who left may still read their group's history; only ``active`` ones may change
    it. A group outside ``scope`` (the community of a ``/c/{community}`` path) or without
    the viewer reads as unknown (``unknown``, by default ``not_in_group``), so that group
    ids reveal nothing.
    """
    missing = unknown or not_in_group(group_id)
    group = await tx.coffee.group(group_id)
    if group is None or (scope is not None and group.community_id != scope.id):
        raise missing
    members = await tx.coffee.members(group.id)
    left = Forbidden("You are no longer an active member of this group", {"parameter": "group_id"})
    viewer = member_of(members, viewer_id, missing, inactive=left if active else None)
    return group, members, viewer


async def load_transaction(
    tx: Transaction, viewer_id: int, transaction_id: int, scope: Community | None
) -> tuple[CoffeeTransaction, Group, list[Member], Member]:
    """A transaction, its group, the group's members and the viewer's membership.

    Only members of the transaction's group read it (those who left too, as they read its
    history). For anyone else, and in a community other than ``scope``, it reads exactly as
    an id that does not exist, so that transaction ids cannot be probed.
    """
    unknown = not_found("transaction_id", f"Transaction {transaction_id} is not in any of your groups")
    row = await tx.coffee.transaction(transaction_id)
    if row is None:
        raise unknown
    group, members, viewer = await load_membership(tx, viewer_id, row.group_id, scope, active=False, unknown=unknown)
    return row, group, members, viewer


async def own_team(tx: Transaction, viewer_id: int, home: Community, key: str) -> tuple[Team, int, int | None]:
    """The viewer's team with this key, the community its group belongs to, and its GitHub id.

    A group is made only from one of the viewer's own teams: any other key reads as unknown.
    """
    key = key.strip()
    if key.isascii() and key.isdigit():
        team = next((team for team in await tx.coffee.teams_of(viewer_id) if team.key == int(key)), None)
        if team is not None:
            return team, home.id, int(key)
    else:
        community = await tx.communities.by_slug(key)
        platforms = [platform.value for platform in CHAT_PLATFORMS]
        teams = await tx.coffee.communities_of(viewer_id, platforms)
        team = next((team for team in teams if team.key == key), None)
        if community is not None and team is not None:
            return team, community.id, None
    raise not_found("github_team_id", f"{key} is not one of your teams")
