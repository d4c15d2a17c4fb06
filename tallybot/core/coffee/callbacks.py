"""Coffee callbacks: the coffee API's view onto the shared webhooks.

A callback is a webhook of the group's community that subscribes ``coffee.transaction``
events filtered to ``{"group_id": <group>}``. Deliveries are therefore signed, retried
and logged like every other webhook; this module only finds, creates and removes those
webhooks for the members of a group.
"""

from dataclasses import dataclass

from tallybot.core import crypto
from tallybot.core.coffee.access import load_membership, not_found
from tallybot.core.coffee.models import Group
from tallybot.core.events import Webhook, WebhookAttempt, WebhookService
from tallybot.core.models import Community, Principal
from tallybot.core.ports import Database, Transaction

TRANSACTION_EVENT = "coffee.transaction"


@dataclass(frozen=True)
class Callback:
    """A group's callback URL and its latest delivery attempt, if any."""

    url: str
    last: WebhookAttempt | None


@dataclass(frozen=True)
class NewCallback:
    """The outcome of creating a callback: ``ok`` with the signing secret, or ``already_active``."""

    status: str
    secret: str | None


def _as_callbacks(community: Community) -> Principal:
    """Who asks the webhooks service: a group's members manage its callbacks (``_place`` checked that)."""
    return Principal.host(community, "coffee callbacks")


def _is_callback(webhook: Webhook, group_id: int) -> bool:
    return webhook.events == (TRANSACTION_EVENT,) and dict(webhook.data_filter) == {"group_id": group_id}


class CoffeeCallbacks:
    """Creates, lists and removes a group's callbacks, for the group's members."""

    def __init__(self, db: Database, webhooks: WebhookService) -> None:
        self._db = db
        self._webhooks = webhooks

    async def create(
        self, viewer_id: int, group_id: int, scope: Community | None, url: str, secret: str | None
    ) -> NewCallback:
        """Call ``url`` for every new transaction of the group; a URL already called is left alone.

        Deliveries are signed with ``secret``, or with a new random secret that is returned
        this once, so that the receiver can check the signatures.
        """
        group, community = await self._place(viewer_id, group_id, scope, active=True)
        if any(hook.url == url.strip() for hook in await self._callbacks(community, group)):
            return NewCallback("already_active", None)
        signing_secret = secret or crypto.new_token()
        await self._webhooks.create(
            _as_callbacks(community),
            community,
            f"coffee callback of group {group.id}",
            url,
            signing_secret,
            [TRANSACTION_EVENT],
            {"group_id": group.id},
        )
        return NewCallback("ok", signing_secret)

    async def of_group(self, viewer_id: int, group_id: int, scope: Community | None) -> tuple[Group, list[Callback]]:
        """The group's callbacks with their latest attempts."""
        group, community = await self._place(viewer_id, group_id, scope, active=False)
        hooks = await self._callbacks(community, group)
        return group, [await self._with_last(community, hook) for hook in hooks]

    async def status(self, viewer_id: int, group_id: int, scope: Community | None, url: str) -> tuple[Group, Callback]:
        """One callback with its latest attempt (the request sent and the response received)."""
        group, community = await self._place(viewer_id, group_id, scope, active=False)
        hook = await self._find(community, group, url)
        return group, await self._with_last(community, hook)

    async def remove(self, viewer_id: int, group_id: int, scope: Community | None, url: str) -> None:
        """Stop calling a URL; it can be added again later."""
        group, community = await self._place(viewer_id, group_id, scope, active=True)
        hook = await self._find(community, group, url)
        await self._webhooks.delete(_as_callbacks(community), community, hook.id)

    async def _place(
        self, viewer_id: int, group_id: int, scope: Community | None, *, active: bool
    ) -> tuple[Group, Community]:
        async def work(tx: Transaction) -> tuple[Group, Community]:
            group, _, _ = await load_membership(tx, viewer_id, group_id, scope, active=active)
            community = await tx.communities.by_id(group.community_id)
            assert community is not None
            return group, community

        return await self._db.read(work)

    async def _callbacks(self, community: Community, group: Group) -> list[Webhook]:
        hooks = await self._webhooks.list_all(_as_callbacks(community), community)
        return [hook for hook in hooks if _is_callback(hook, group.id)]

    async def _find(self, community: Community, group: Group, url: str) -> Webhook:
        hook = next((hook for hook in await self._callbacks(community, group) if hook.url == url.strip()), None)
        if hook is None:
            raise not_found("url", f"Group {group.id} has no callback to {url.strip()}")
        return hook

    async def _with_last(self, community: Community, hook: Webhook) -> Callback:
        attempts = await self._webhooks.logs(_as_callbacks(community), community, hook.id, 1)
        return Callback(hook.url, attempts[0] if attempts else None)
