"""Webhooks: what a community may subscribe, where deliveries may go, and the service.

A webhook subscribes a URL to event types of one community, optionally narrowed by a data
filter (``{"group_id": 13}``: only events whose data has that value). The coffee scoreboard's
callbacks are webhooks too: ``coffee.transaction`` events filtered to one group. Managing a
community's webhooks (reading them too, as they name where its events go) is a host's only:
every method takes the caller and raises NotHost for anyone else.

Targets in private, loopback, link-local or otherwise non-public address ranges are refused
unless ``[webhooks] allow_private`` is set. This module checks the URL as written; the HTTP
sender checks again each address a host name resolves to, when it connects.
"""

import contextlib
import ipaddress
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.events.bus import new_event
from tallybot.core.events.delivery import DeliveryPolicy, Sleep, WebhookDispatcher, build_request, outcome_of
from tallybot.core.events.models import Webhook, WebhookAttempt, WebhookChanges
from tallybot.core.events.ports import WebhookSender
from tallybot.core.models import Community, Principal
from tallybot.core.ports import Clock, Database, EventBus, Transaction

TEST_EVENT = "webhook.test"
_EVENT_TYPE = re.compile(r"^(\*|[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*)$")
_MAX_EVENTS = 50
_MAX_FILTER_KEYS = 10


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for addresses on the public internet; False for private, loopback, link-local and the like."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, allow_private: bool) -> str:
    """The URL, trimmed, if it is an http(s) URL that may receive webhooks; otherwise Invalid."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid("Invalid URL format", {"url": ["is not a valid URL"]}) from None
    host = parts.hostname
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not host or port == 0:
        raise Invalid("Invalid URL format", {"url": ["must be an http or https URL"]})
    if parts.username is not None or parts.password is not None:
        raise Invalid("Webhook URLs may not contain a user name or password", {"url": ["has credentials"]})
    if not allow_private and not _is_public_host(host):
        raise Invalid(
            "Webhook URLs may not point to private, loopback or link-local addresses",
            {"url": ["is not a public address"]},
        )
    return url


def _is_public_host(host: str) -> bool:
    """Whether a URL's host may be public, read as the connecting library will read it.

    yarl maps the name as IDNA does (full-width letters become ASCII) and the resolver reads
    IPv4 the way ``inet_aton`` does ("127.1", "2130706433", "0x7f000001", "0177.0.0.1"), so a
    loopback address written another way is refused here too. Percent-escapes and trailing
    dots are undone first. A name that is no address is public as far as this check can
    tell; the sender checks what it resolves to when it connects.
    """
    name = unicodedata.normalize("NFKC", unquote(host)).lower().rstrip(".")
    if not name or name == "localhost" or name.endswith(".localhost"):
        return False
    address = _address_in(name)
    return address is None or is_public_address(address)


def _address_in(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(name)
    return _inet_aton(name)


def _inet_aton(name: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any form ``inet_aton`` accepts: 1 to 4 parts, each decimal, octal (a leading 0)
    or hex (0x), the last filling the bytes that remain; None for anything else."""
    values = []
    parts = name.split(".")
    for part in parts:
        base, digits = (16, part[2:]) if part.startswith("0x") else (8, part[1:]) if part[:1] == "0" else (10, part)
        if (not digits and base == 16) or not all(c in "0123456789abcdef"[:base] for c in digits) or len(part) > 12:
            return None
        values.append(int(digits or "0", base))
    *head, last = values
    if not 1 <= len(parts) <= 4 or any(value > 255 for value in head) or last >= 256 ** (4 - len(head)):
        return None
    return ipaddress.IPv4Address(sum(value << (8 * (3 - i)) for i, value in enumerate(head)) + last)


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise Invalid("Webhook name must be 1 to 100 characters", {"name": ["1 to 100 characters"]})
    return name


def _check_secret(secret: str) -> str:
    if not 8 <= len(secret) <= 256:
        raise Invalid("Webhook secret must be 8 to 256 characters", {"secret": ["8 to 256 characters"]})
    return secret


def _check_events(events: Sequence[str]) -> tuple[str, ...]:
    if not events or len(events) > _MAX_EVENTS:
        raise Invalid(f"A webhook subscribes to 1 to {_MAX_EVENTS} event types", {"events": ["1 to 50 types"]})
    for event_type in events:
        if len(event_type) > 100 or not _EVENT_TYPE.match(event_type):
            raise Invalid(f"{event_type!r} is not an event type", {"events": ["not an event type"]})
    return tuple(dict.fromkeys(events))


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


def _check_filter(data_filter: Mapping[str, Any]) -> dict[str, Any]:
    if len(data_filter) > _MAX_FILTER_KEYS or not all(
        isinstance(key, str) and 0 < len(key) <= 100 and _is_scalar(value) for key, value in data_filter.items()
    ):
        raise Invalid(
            f"A filter maps up to {_MAX_FILTER_KEYS} names to strings, numbers, booleans or null",
            {"filter": ["not a valid filter"]},
        )
    return dict(data_filter)


class WebhookService:
    """Manages a community's webhooks, and runs their deliveries (``run``)."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        sender: WebhookSender,
        clock: Clock,
        policy: DeliveryPolicy,
        allow_private: bool,
        sleep: Sleep,
    ) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self._policy = policy
        self._allow_private = allow_private
        self._dispatcher = WebhookDispatcher(db, bus, sender, clock, policy, sleep)

    async def run(self) -> None:
        """Deliver events to webhooks until cancelled (run it in the app's TaskGroup)."""
        await self._dispatcher.run()

    async def create(
        self,
        asker: Principal,
        community: Community,
        name: str,
        url: str,
        secret: str,
        events: Sequence[str],
        data_filter: Mapping[str, Any] | None = None,
        enabled: bool = True,
    ) -> Webhook:
        """Subscribe a URL to event types; ``secret`` signs the deliveries."""
        asker.check_host_of(community.id)
        name = _check_name(name)
        url = check_url(url, self._allow_private)
        secret = _check_secret(secret)
        types = _check_events(events)
        wanted = _check_filter(data_filter or {})
        now = self._clock()

        async def work(tx: Transaction) -> Webhook:
            return await tx.webhooks.add(community.id, name, url, secret, types, wanted, enabled, now)

        return await self._db.write(work)

    async def list_all(self, asker: Principal, community: Community) -> list[Webhook]:
        """Every webhook of the community, oldest first."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> list[Webhook]:
            return await tx.webhooks.of_community(community.id)

        return await self._db.read(work)

    async def get(self, asker: Principal, community: Community, webhook_id: int) -> Webhook:
        """One webhook, or NotFound."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> Webhook | None:
            return await tx.webhooks.get(community.id, webhook_id)

        return _found(await self._db.read(work))

    async def update(self, asker: Principal, community: Community, webhook_id: int, changes: WebhookChanges) -> Webhook:
        """Change the fields that are set; at least one must be."""
        asker.check_host_of(community.id)
        if changes == WebhookChanges():
            raise Invalid("No fields to update")
        checked = WebhookChanges(
            name=None if changes.name is None else _check_name(changes.name),
            url=None if changes.url is None else check_url(changes.url, self._allow_private),
            secret=None if changes.secret is None else _check_secret(changes.secret),
            events=None if changes.events is None else _check_events(changes.events),
            data_filter=None if changes.data_filter is None else _check_filter(changes.data_filter),
            enabled=changes.enabled,
        )
        now = self._clock()

        async def work(tx: Transaction) -> Webhook:
            current = _found(await tx.webhooks.get(community.id, webhook_id))
            if checked.enabled and not current.enabled:
                # Enabled again, it starts from now, as a new webhook would: what happened
                # while it was off is not sent. What was queued before that still is.
                await tx.webhooks.skip_to_now(webhook_id)
            return await tx.webhooks.update(webhook_id, checked, now)

        updated = await self._db.write(work)
        self._dispatcher.wake()
        return updated

    async def delete(self, asker: Principal, community: Community, webhook_id: int) -> None:
        """Remove a webhook, its pending deliveries and its log."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> None:
            _found(await tx.webhooks.get(community.id, webhook_id))
            await tx.webhooks.delete(webhook_id)

        await self._db.write(work)

    async def test(self, asker: Principal, community: Community, webhook_id: int) -> WebhookAttempt:
        """Send a ``webhook.test`` event at once (no retries) and return the recorded attempt."""
        asker.check_host_of(community.id)

        async def load(tx: Transaction) -> tuple[Webhook | None, str | None]:
            return await tx.webhooks.get(community.id, webhook_id), await tx.webhooks.secret(webhook_id)

        webhook, secret = await self._db.read(load)
        webhook = _found(webhook)
        assert secret is not None
        sent_at = self._clock()
        data = {"webhookId": webhook.id, "message": "This is a test delivery from tallybot"}
        request = build_request(webhook.url, secret, new_event(TEST_EVENT, community.id, data, sent_at), sent_at)
        response = await self._sender.send(request)

        async def record(tx: Transaction) -> WebhookAttempt:
            _found(await tx.webhooks.get(community.id, webhook_id))
            attempt = await tx.webhooks.add_attempt(
                webhook_id, None, 1, sent_at, outcome_of(response), request, response
            )
            await tx.webhooks.prune_attempts(webhook_id, self._policy.keep_attempts)
            return attempt

        return await self._db.write(record)

    async def logs(
        self, asker: Principal, community: Community, webhook_id: int, limit: int = 50
    ) -> list[WebhookAttempt]:
        """The webhook's newest attempts, newest first."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> list[WebhookAttempt]:
            _found(await tx.webhooks.get(community.id, webhook_id))
            return await tx.webhooks.attempts(webhook_id, limit)

        return await self._db.read(work)


def _found(webhook: Webhook | None) -> Webhook:
    if webhook is None:
        raise NotFound("Webhook not found")
    return webhook
