"""Who may see and change a coffee group, and how the coffee services word their refusals."""

from collections.abc import Mapping, Sequence

from tallybot.core.coffee.models import Group, Member
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
    tx: Transaction, viewer_id: int, group_id: int, scope: Community | None, *, active: bool
) -> tuple[Group, list[Member], Member]:
    """The group, its members and the viewer's membership.

    Members who left may still read their group's history; only ``active`` ones may change
    it. A group outside ``scope`` (the community of a ``/c/{community}`` path) or without
    the viewer reads as unknown, so that group ids reveal nothing.
    """
    group = await tx.coffee.group(group_id)
    if group is None or (scope is not None and group.community_id != scope.id):
        raise not_in_group(group_id)
    members = await tx.coffee.members(group.id)
    left = Forbidden("You are no longer an active member of this group", {"parameter": "group_id"})
    viewer = member_of(members, viewer_id, not_in_group(group_id), inactive=left if active else None)
    return group, members, viewer
