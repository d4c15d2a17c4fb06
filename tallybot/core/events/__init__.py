"""Events: the outbox event, the in-process bus, the overlay and live streams, and signed webhooks
with their durable, retried delivery.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.events.bus import InProcessEventBus, new_event
from tallybot.core.events.delivery import DeliveryPolicy, Sleep
from tallybot.core.events.models import (
    DeliveryOutcome,
    DueDelivery,
    Webhook,
    WebhookAttempt,
    WebhookChanges,
    WebhookRequest,
    WebhookResponse,
)
from tallybot.core.events.ports import WebhookRepository, WebhookSender
from tallybot.core.events.streams import (
    EventStreams,
    StreamTopic,
    reaches_live_client,
    reaches_overlay,
    session_id_of,
    shown_data,
)
from tallybot.core.events.webhooks import WebhookService, is_public_address

__all__ = [
    "DeliveryOutcome",
    "DeliveryPolicy",
    "DueDelivery",
    "EventStreams",
    "InProcessEventBus",
    "Sleep",
    "StreamTopic",
    "Webhook",
    "WebhookAttempt",
    "WebhookChanges",
    "WebhookRepository",
    "WebhookRequest",
    "WebhookResponse",
    "WebhookSender",
    "WebhookService",
    "is_public_address",
    "new_event",
    "reaches_live_client",
    "reaches_overlay",
    "session_id_of",
    "shown_data",
]
