"""The one path every coffee transaction takes, from the HTTP API and from chat alike.

It checks the other member, stores the transaction, moves both balances in one statement
(so they stay zero-sum) and puts the ``coffee.transaction`` event, which feeds webhooks
and the spec's callbacks, in the outbox of the same unit of work.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tallybot.core.coffee.access import invalid, member_of, not_in_group
from tallybot.core.coffee.callbacks import TRANSACTION_EVENT
from tallybot.core.coffee.models import NOT_YOURSELF, CoffeeTransaction, Entry, Group, Member, summary
from tallybot.core.events import new_event
from tallybot.core.ports import Transaction

Location = tuple[float | None, float | None, float | None, datetime | None]


@dataclass(frozen=True)
class Recorded:
    """A transaction as the viewer reads it, the group's members afterwards, and the viewer among them."""

    entry: Entry
    members: list[Member]
    viewer: Member


def entries(viewer_id: int, members: Sequence[Member], rows: Sequence[CoffeeTransaction]) -> tuple[Entry, ...]:
    """Transactions with their summaries as the viewer reads them ("You bought Ryan 3 coffees")."""
    names = {member.profile.person_id: member.profile.display_name for member in members}
    return tuple(Entry(row, summary(viewer_id, row, names)) for row in rows)


async def record(
    tx: Transaction,
    group: Group,
    members: Sequence[Member],
    viewer_id: int,
    user_id: int,
    amount: int,
    note: str | None,
    location: Location,
    now: datetime,
) -> Recorded:
    """Record coffees between the viewer and another active member; a negative amount means they bought.

    Nobody buys themselves coffee, from chat or over HTTP: this is the one place that says so.
    """
    if user_id == viewer_id:
        raise invalid({"user_id": [NOT_YOURSELF]})
    not_active = invalid({"user_id": ["is not an active member of this group"]})
    member_of(members, user_id, not_active, inactive=not_active)
    buyer, receiver = (viewer_id, user_id) if amount > 0 else (user_id, viewer_id)
    row = await tx.coffee.add_transaction(group.id, buyer, receiver, abs(amount), note, location, viewer_id, now)
    await tx.coffee.transfer(group.id, buyer, receiver, row.amount)
    after = await tx.coffee.members(group.id)
    data = {
        "group_id": group.id,
        "transaction_id": row.id,
        "from_user_id": buyer,
        "to_user_id": receiver,
        "amount": row.amount,
        "note": note,
        "created_by": viewer_id,
        "date": now.isoformat(),
        "summary": entries(0, after, [row])[0].summary,
    }
    await tx.outbox.append(new_event(TRANSACTION_EVENT, group.community_id, data, now))
    return Recorded(entries(viewer_id, after, [row])[0], after, member_of(after, viewer_id, not_in_group(group.id)))
