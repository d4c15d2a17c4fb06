"""The JSON of the events API: stream topics, the event envelope, and webhooks with their delivery attempts."""

from typing import Annotated, Any, TypedDict

from tallybot.core.events import (
    Webhook,
    WebhookAttempt,
    shown_data,
)
from tallybot.core.models import Event
from tallybot.core.wire import Meta, UtcMillis, utc_ms


class WebhookJson(TypedDict):
    """A webhook, without its secret; ``filter`` keeps only events whose data has these values."""

    id: int
    name: str
    url: str
    events: list[str]
    filter: dict[str, Any]
    enabled: bool
    created_at: UtcMillis | None
    updated_at: UtcMillis | None


class SentRequest(TypedDict):
    """What was sent (the signature is in the headers; the secret never is)."""

    url: str
    headers: dict[str, str]
    body: str


class ReceivedResponse(TypedDict):
    """What came back; ``status`` is null when no answer came."""

    status: int | None
    reason: str
    headers: dict[str, str]
    body: str


class AttemptJson(TypedDict):
    """One delivery attempt."""

    id: int
    event_id: str
    event_type: str
    attempt: int
    outcome: Annotated[str, Meta(enum=["ok", "error", "timeout"])]
    status_code: int | None
    duration_ms: int
    error: str | None
    sent_at: UtcMillis | None
    request: SentRequest
    response: ReceivedResponse


class NewWebhook(TypedDict, total=False):
    """A subscription; name, url, secret and events are required."""

    name: str
    url: str
    secret: str
    events: list[str]
    filter: dict[str, Any] | None
    enabled: bool | None


class WebhookUpdate(TypedDict, total=False):
    """Any of the webhook's fields to change."""

    name: str | None
    url: str | None
    secret: str | None
    events: list[str] | None
    filter: dict[str, Any] | None
    enabled: bool | None


class WebhookPath(TypedDict):
    """A webhook's id."""

    id: Annotated[int, Meta(minimum=0)]


class WebhookDeleted(TypedDict):
    """A webhook was removed."""

    message: str
    webhookId: int


class TestSent(TypedDict):
    """How the test delivery went."""

    message: str
    attempt: AttemptJson


class LogQuery(TypedDict, total=False):
    """How many attempts to list."""

    limit: Annotated[int, Meta(minimum=1, maximum=200)]


def webhook_data(webhook: Webhook) -> WebhookJson:
    """A webhook as JSON, without its secret."""
    return {
        "id": webhook.id,
        "name": webhook.name,
        "url": webhook.url,
        "events": list(webhook.events),
        "filter": dict(webhook.data_filter),
        "enabled": webhook.enabled,
        "created_at": utc_ms(webhook.created_at),
        "updated_at": utc_ms(webhook.updated_at),
    }


def attempt_data(attempt: WebhookAttempt) -> AttemptJson:
    """One delivery attempt as JSON: what was sent and what came back."""
    response = attempt.response
    return {
        "id": attempt.id,
        "event_id": attempt.request.event_id,
        "event_type": attempt.request.event_type,
        "attempt": attempt.attempt,
        "outcome": attempt.outcome.value,
        "status_code": response.status,
        "duration_ms": response.duration_ms,
        "error": response.error,
        "sent_at": utc_ms(attempt.sent_at),
        "request": {"url": attempt.request.url, "headers": dict(attempt.request.headers), "body": attempt.request.body},
        "response": {
            "status": response.status,
            "reason": response.reason,
            "headers": dict(response.headers),
            "body": response.body,
        },
    }


class TopicQuery(TypedDict, total=False):
    """Which events: the community's game night (the default), one game-night ``session``, or, with
    read access, one ``poker`` session or one ``coffee`` group. ``token`` is a viewer token."""

    session: Annotated[int, Meta(minimum=1)]
    poker: str
    coffee: Annotated[int, Meta(minimum=1)]
    token: str


class StreamQuery(TopicQuery, total=False):
    """The topic, and the last event seen (as the ``Last-Event-ID`` header also gives it)."""

    lastEventId: Annotated[int, Meta(minimum=0)]


Reply = dict[str, Any]


def envelope(event: Event) -> Reply:
    """The ``{type, timestamp, data}`` form in which every event is sent."""
    return {"type": event.type, "timestamp": utc_ms(event.occurred_at), "data": shown_data(event)}
