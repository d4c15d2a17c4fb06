"""Who may see and change a coffee group, and how the coffee services word their refusals."""

from tallybot.core.coffee.models import Group, Member
from tallybot.core.errors import Forbidden, Invalid, NotFound
from tallybot.core.models import Community
from tallybot.core.ports import Transaction


def invalid(problems: dict[str, list[str]]) -> Invalid:
    """One Invalid naming every bad parameter, in the same words as the API's own checks."""
    listed = "; ".join(f"{name} {' and '.join(found)}" for name, found in problems.items())
    return Invalid(f"Invalid parameters: {listed}", problems)


def not_found(parameter: str, message: str) -> NotFound:
    """NotFound, naming the parameter that pointed at nothing."""
    return NotFound(message, {"parameter": parameter})


async def load_membership(
    tx: Transaction, viewer_id: int, group_id: int, scope: Community | None, *, active: bool
) -> tuple[Group, list[Member], Member]:
    """The group, its members and the viewer's membership.

    Members who left may still read their group's history; only ``active`` ones may change
    it. A group outside ``scope`` (the community of a ``/c/{community}`` path) or without
    the viewer reads as unknown, so that group ids reveal nothing.
    """
    group = await tx.coffee.group(group_id)
    members = [] if group is None else await tx.coffee.members(group.id)
    viewer = next((member for member in members if member.profile.person_id == viewer_id), None)
    if group is None or viewer is None or (scope is not None and group.community_id != scope.id):
        raise not_found("group_id", f"You are not in a group with id {group_id}")
    if active and not viewer.active:
        raise Forbidden("You are no longer an active member of this group", {"parameter": "group_id"})
    return group, members, viewer
