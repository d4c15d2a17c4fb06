"""Typed values of the webhook feature: subscriptions, queued deliveries and attempts."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tallybot.core.models import Event


class DeliveryOutcome(StrEnum):
    """How one attempt ended: a 2xx answer, any other answer or failure, or no answer in time."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Webhook:
    """A subscription of a URL to event types of one community. Its secret is kept out of here."""

    id: int
    community_id: int
    name: str
    url: str
    events: tuple[str, ...]
    data_filter: Mapping[str, Any]
    enabled: bool
    after_sequence: int
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class WebhookChanges:
    """The fields of a webhook that an update sets; None leaves a field as it is."""

    name: str | None = None
    url: str | None = None
    secret: str | None = field(default=None, repr=False)
    events: tuple[str, ...] | None = None
    data_filter: Mapping[str, Any] | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class DueDelivery:
    """The oldest undelivered event of one webhook, with what is needed to send it."""

    id: int
    webhook_id: int
    url: str
    secret: str = field(repr=False)
    attempts: int
    next_attempt_at: datetime
    event: Event


@dataclass(frozen=True)
class WebhookRequest:
    """What is sent: the URL, the headers (signed, without the secret) and the JSON body."""

    url: str
    headers: Mapping[str, str]
    body: str
    event_id: str
    event_type: str


@dataclass(frozen=True)
class WebhookResponse:
    """What came back. ``failure`` is set when no HTTP answer arrived (``status`` is then None)."""

    status: int | None
    reason: str
    headers: Mapping[str, str]
    body: str
    duration_ms: int
    failure: DeliveryOutcome | None = None
    error: str | None = None


@dataclass(frozen=True)
class WebhookAttempt:
    """One recorded attempt to deliver an event (or a test event) to a webhook."""

    id: int
    webhook_id: int
    delivery_id: int | None
    attempt: int
    sent_at: datetime
    outcome: DeliveryOutcome
    request: WebhookRequest
    response: WebhookResponse
