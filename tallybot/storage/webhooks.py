"""Webhooks, their delivery queue and their attempts in SQLite."""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tallybot.core.events import (
    DeliveryOutcome,
    DueDelivery,
    Webhook,
    WebhookAttempt,
    WebhookChanges,
    WebhookRequest,
    WebhookResponse,
)
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, maybe_from_text, to_text
from tallybot.storage.outbox import event_from_row


def _webhook(row: Row) -> Webhook:
    return Webhook(
        id=row["id"],
        community_id=row["community_id"],
        name=row["name"],
        url=row["url"],
        events=tuple(json.loads(row["events"])),
        data_filter=json.loads(row["data_filter"]),
        enabled=bool(row["enabled"]),
        after_sequence=row["after_sequence"],
        created_at=from_text(row["created_at"]),
        updated_at=maybe_from_text(row["updated_at"]),
    )


def _attempt(row: Row) -> WebhookAttempt:
    request = WebhookRequest(
        url=row["request_url"],
        headers=json.loads(row["request_headers"]),
        body=row["request_body"],
        event_id=row["event_id"],
        event_type=row["event_type"],
    )
    outcome = DeliveryOutcome(row["outcome"])
    response = WebhookResponse(
        status=row["status_code"],
        reason=row["response_reason"],
        headers=json.loads(row["response_headers"]),
        body=row["response_body"],
        duration_ms=row["duration_ms"],
        failure=outcome if row["status_code"] is None else None,
        error=row["error"],
    )
    return WebhookAttempt(
        id=row["id"],
        webhook_id=row["webhook_id"],
        delivery_id=row["delivery_id"],
        attempt=row["attempt"],
        sent_at=from_text(row["sent_at"]),
        outcome=outcome,
        request=request,
        response=response,
    )


class SqliteWebhookRepository:
    """Implements ``WebhookRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _one(self, query: str, params: Sequence[Any]) -> Row | None:
        async with self._conn.execute(query, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, query: str, params: Sequence[Any]) -> list[Row]:
        async with self._conn.execute(query, params) as cursor:
            return list(await cursor.fetchall())

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
        query = (
            "INSERT INTO webhooks (community_id, name, url, secret, events, data_filter, enabled, after_sequence, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sequence), 0) FROM outbox), ?) RETURNING *"
        )
        params = (
            community_id,
            name,
            url,
            secret,
            json.dumps(list(events)),
            json.dumps(dict(data_filter)),
            int(enabled),
            to_text(created_at),
        )
        row = await self._one(query, params)
        assert row is not None
        return _webhook(row)

    async def get(self, community_id: int, webhook_id: int) -> Webhook | None:
        """One webhook of a community."""
        query = "SELECT * FROM webhooks WHERE id = ? AND community_id = ?"
        row = await self._one(query, (webhook_id, community_id))
        return None if row is None else _webhook(row)

    async def of_community(self, community_id: int) -> list[Webhook]:
        """Every webhook of a community, oldest first."""
        query = "SELECT * FROM webhooks WHERE community_id = ? ORDER BY id"
        return [_webhook(row) for row in await self._all(query, (community_id,))]

    async def enabled(self) -> list[Webhook]:
        """Every enabled webhook of every community."""
        query = "SELECT * FROM webhooks WHERE enabled = 1 ORDER BY id"
        return [_webhook(row) for row in await self._all(query, ())]

    async def update(self, webhook_id: int, changes: WebhookChanges, updated_at: datetime) -> Webhook:
        """Apply the changes that are set."""
        query = (
            "UPDATE webhooks SET name = coalesce(?, name), url = coalesce(?, url), secret = coalesce(?, secret), "
            "events = coalesce(?, events), data_filter = coalesce(?, data_filter), enabled = coalesce(?, enabled), "
            "updated_at = ? WHERE id = ? RETURNING *"
        )
        params = (
            changes.name,
            changes.url,
            changes.secret,
            None if changes.events is None else json.dumps(list(changes.events)),
            None if changes.data_filter is None else json.dumps(dict(changes.data_filter)),
            None if changes.enabled is None else int(changes.enabled),
            to_text(updated_at),
            webhook_id,
        )
        row = await self._one(query, params)
        assert row is not None
        return _webhook(row)

    async def skip_to_now(self, webhook_id: int) -> None:
        """Make the webhook receive only events appended from now on."""
        query = "UPDATE webhooks SET after_sequence = (SELECT coalesce(max(sequence), 0) FROM outbox) WHERE id = ?"
        await self._conn.execute(query, (webhook_id,))

    async def delete(self, webhook_id: int) -> None:
        """Remove a webhook with its queue and attempts."""
        query = "DELETE FROM webhooks WHERE id = ?"
        await self._conn.execute(query, (webhook_id,))

    async def secret(self, webhook_id: int) -> str | None:
        """The webhook's signing secret."""
        query = "SELECT secret FROM webhooks WHERE id = ?"
        row = await self._one(query, (webhook_id,))
        return None if row is None else str(row["secret"])

    async def cursor(self) -> int:
        """The outbox sequence up to which events have been matched against webhooks."""
        query = "SELECT sequence FROM webhook_cursor WHERE id = 1"
        row = await self._one(query, ())
        return 0 if row is None else int(row["sequence"])

    async def set_cursor(self, sequence: int) -> None:
        """Record how far matching has got (it never moves back)."""
        query = "UPDATE webhook_cursor SET sequence = max(sequence, ?) WHERE id = 1"
        await self._conn.execute(query, (sequence,))

    async def enqueue(self, webhook_id: int, sequence: int, due_at: datetime) -> None:
        """Queue an event for a webhook, unless it is queued already or the webhook is gone or disabled."""
        query = (
            "INSERT INTO webhook_deliveries (webhook_id, sequence, next_attempt_at) "
            "SELECT id, ?, ? FROM webhooks WHERE id = ? AND enabled = 1 "
            "ON CONFLICT (webhook_id, sequence) DO NOTHING"
        )
        await self._conn.execute(query, (sequence, to_text(due_at), webhook_id))

    async def due(self) -> list[DueDelivery]:
        """The oldest pending delivery of each enabled webhook, whether or not its time has come."""
        query = (
            "SELECT d.id, d.webhook_id, w.url, w.secret, d.attempts, d.next_attempt_at, "
            "o.sequence, o.event_id, o.type, o.community_id, o.occurred_at, o.data "
            "FROM (SELECT webhook_id, min(sequence) AS sequence FROM webhook_deliveries "
            "WHERE status = 'pending' GROUP BY webhook_id) AS head "
            "JOIN webhook_deliveries d ON d.webhook_id = head.webhook_id AND d.sequence = head.sequence "
            "JOIN webhooks w ON w.id = d.webhook_id AND w.enabled = 1 "
            "JOIN outbox o ON o.sequence = d.sequence "
            "ORDER BY d.next_attempt_at, d.id"
        )
        rows = await self._all(query, ())
        return [
            DueDelivery(
                id=row["id"],
                webhook_id=row["webhook_id"],
                url=row["url"],
                secret=row["secret"],
                attempts=row["attempts"],
                next_attempt_at=from_text(row["next_attempt_at"]),
                event=event_from_row(row),
            )
            for row in rows
        ]

    async def settle(self, delivery_id: int, status: str, attempts: int, next_attempt_at: datetime) -> None:
        """Record a delivery's state after an attempt: pending, delivered or failed."""
        query = "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ? WHERE id = ?"
        await self._conn.execute(query, (status, attempts, to_text(next_attempt_at), delivery_id))

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
        query = (
            "INSERT INTO webhook_attempts (webhook_id, delivery_id, attempt, event_id, event_type, sent_at, "
            "duration_ms, outcome, request_url, request_headers, request_body, status_code, response_reason, "
            "response_headers, response_body, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING *"
        )
        params = (
            webhook_id,
            delivery_id,
            attempt,
            request.event_id,
            request.event_type,
            to_text(sent_at),
            response.duration_ms,
            outcome.value,
            request.url,
            json.dumps(dict(request.headers)),
            request.body,
            response.status,
            response.reason,
            json.dumps(dict(response.headers)),
            response.body,
            response.error,
        )
        row = await self._one(query, params)
        assert row is not None
        return _attempt(row)

    async def attempts(self, webhook_id: int, limit: int) -> list[WebhookAttempt]:
        """The newest attempts of a webhook, newest first."""
        query = "SELECT * FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?"
        return [_attempt(row) for row in await self._all(query, (webhook_id, limit))]

    async def prune_attempts(self, webhook_id: int, keep: int) -> None:
        """Forget all but the newest ``keep`` attempts of a webhook."""
        query = (
            "DELETE FROM webhook_attempts WHERE webhook_id = ? AND id <= "
            "(SELECT id FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)"
        )
        await self._conn.execute(query, (webhook_id, webhook_id, keep))
