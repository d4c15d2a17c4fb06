"""What webhook delivery needs from outside: the webhook repository and an HTTP sender."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from tallybot.core.events.models import (
    DeliveryOutcome,
    DueDelivery,
    Webhook,
    WebhookAttempt,
    WebhookChanges,
    WebhookRequest,
    WebhookResponse,
)


class WebhookRepository(Protocol):
    """Webhooks, their durable delivery queue and the record of attempts."""

    async def add(
        self,
        community_id: int,
        name: str,
        url: str,
        secret: str,
        events: Sequence[str],
        data_filter: Mapping[str, Any],
        enabled: bool,
        created_at: datetime,
    ) -> Webhook:
        """Insert a webhook; it receives only events appended after this moment."""

    async def get(self, community_id: int, webhook_id: int) -> Webhook | None:
        """One webhook of a community."""

    async def of_community(self, community_id: int) -> list[Webhook]:
        """Every webhook of a community, oldest first."""

    async def enabled(self) -> list[Webhook]:
        """Every enabled webhook of every community."""

    async def update(self, webhook_id: int, changes: WebhookChanges, updated_at: datetime) -> Webhook:
        """Apply the changes that are set."""

    async def skip_to_now(self, webhook_id: int) -> None:
        """Make the webhook receive only events appended from now on."""

    async def delete(self, webhook_id: int) -> None:
        """Remove a webhook with its queue and attempts."""

    async def secret(self, webhook_id: int) -> str | None:
        """The webhook's signing secret."""

    async def cursor(self) -> int:
        """The outbox sequence up to which events have been matched against webhooks."""

    async def set_cursor(self, sequence: int) -> None:
        """Record how far matching has got."""

    async def enqueue(self, webhook_id: int, sequence: int, due_at: datetime) -> None:
        """Queue an event for a webhook, unless it is queued already or the webhook is gone or disabled."""

    async def due(self) -> list[DueDelivery]:
        """The oldest pending delivery of each enabled webhook, whether or not its time has come."""

    async def settle(self, delivery_id: int, status: str, attempts: int, next_attempt_at: datetime) -> None:
        """Record a delivery's state after an attempt: pending, delivered or failed."""

    async def add_attempt(
        self,
        webhook_id: int,
        delivery_id: int | None,
        attempt: int,
        sent_at: datetime,
        outcome: DeliveryOutcome,
        request: WebhookRequest,
        response: WebhookResponse,
    ) -> WebhookAttempt:
        """Record one attempt."""

    async def attempts(self, webhook_id: int, limit: int) -> list[WebhookAttempt]:
        """The newest attempts of a webhook, newest first."""

    async def prune_attempts(self, webhook_id: int, keep: int) -> None:
        """Forget all but the newest ``keep`` attempts of a webhook."""


class WebhookSender(Protocol):
    """Posts a signed webhook request and reports what came back; it never raises for the target's failures."""

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        """POST ``request.body`` to ``request.url`` with its headers, within the configured timeout."""
