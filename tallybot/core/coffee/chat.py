"""Coffee from chat: each community's chat group, which chat users join on first use, and chat's rules.

The chat group is the community's own group, the one the HTTP API makes from the
community's members (``github_id`` NULL), so a balance is the same in chat and over HTTP.
Chat records only "I bought them n coffees": n is a whole number from 1 to ``MAX_AMOUNT``.
"""

from collections.abc import Sequence
from datetime import datetime

from tallybot.core.coffee.models import DEFAULT_TIMEZONE, MAX_AMOUNT, MAX_NOTE, Group, Member
from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Community
from tallybot.core.ports import Transaction

BOARD_SIZE = 10
NO_LOCATION = (None, None, None, None)
_FALLBACK_NAME = "Coffee"


def check_chat_coffee(amount: int, note: str | None) -> None:
    """Raise Invalid, in chat's words, for coffees that chat may not record (more than the API refuses).

    Who may receive them is the ledger's rule, the same for chat and the API.
    """
    if not 1 <= amount <= MAX_AMOUNT:
        raise Invalid(f"The number of coffees must be from 1 to {MAX_AMOUNT}", {"amount": [f"1 to {MAX_AMOUNT}"]})
    if note is not None and len(note) > MAX_NOTE:
        raise Invalid(f"The note can have at most {MAX_NOTE} characters", {"note": [f"at most {MAX_NOTE}"]})


async def check_in_community(tx: Transaction, community: Community, person_id: int) -> None:
    """NotFound unless the person has been seen in the community (chat only pays people who are there)."""
    if community.id not in await tx.communities.roles_of(person_id):
        profile = await tx.coffee.profile(person_id)
        name = "That person" if profile is None else profile.display_name
        raise NotFound(f"{name} hasn't been seen in this community yet", {"parameter": "user_id"})


async def chat_seat(
    tx: Transaction, community: Community, person_ids: Sequence[int], now: datetime
) -> tuple[Group, list[Member]]:
    """The community's group, made by the first of ``person_ids`` if there is none yet, with each of them in it.

    Joining reactivates a member who had left: they are chatting in the community again.
    """
    group = await tx.coffee.group_from(community.id, None)
    if group is None:
        name = community.name.strip()[:100] or _FALLBACK_NAME
        group = await tx.coffee.add_group(community.id, None, name, DEFAULT_TIMEZONE, person_ids[0], now)
    for person_id in person_ids:
        await tx.coffee.join(group.id, person_id, now)
    return group, await tx.coffee.members(group.id)


def leaders(members: Sequence[Member]) -> list[Member]:
    """Members by balance, highest first; ties by name, so the board reads the same every time."""
    return sorted(
        members, key=lambda found: (-found.balance, found.profile.display_name.casefold(), found.profile.person_id)
    )
