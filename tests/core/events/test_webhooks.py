"""Webhook rules and delivery: matching, signing, backoff, ordering, the retry budget and restarts.

Deliveries go to real fake receivers on 127.0.0.1; events are appended to the outbox with
real writes; the dispatcher's sleep moves the fake clock, so backoff takes no real time.
"""

import hashlib
import hmac
import itertools
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_aiohttp import AiohttpServer

from tallybot.bot.__main__ import open_services
from tallybot.core.errors import Invalid
from tallybot.core.events import DeliveryOutcome, DeliveryPolicy, Webhook, WebhookAttempt, WebhookChanges
from tallybot.core.events.delivery import matches, sign
from tallybot.core.events.webhooks import check_url
from tallybot.core.models import Event, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import FakeClock, FakeMonotonic, host_of, until
from tests.webhook_helpers import Publish, Receiver, VirtualSleep, outbox_writer, running

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = "correct horse battery staple"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhooks=replace(settings.webhooks, allow_private=True, max_attempts=3))


@pytest.fixture
def sleep(clock: FakeClock) -> VirtualSleep:
    return VirtualSleep(clock)


@pytest.fixture
async def services(
    settings: Settings, clock: FakeClock, monotonic: FakeMonotonic, sleep: VirtualSleep
) -> AsyncIterator[Services]:
    async with open_services(settings, clock=clock, monotonic=monotonic, sleep=sleep) as opened:
        yield opened


@pytest.fixture
async def publish(settings: Settings, services: Services) -> AsyncIterator[Publish]:
    async with outbox_writer(settings.storage.path, services) as append:
        yield append


async def hook_url(aiohttp_server: AiohttpServer, receiver: Receiver) -> str:
    server = await aiohttp_server(receiver.app)
    return str(server.make_url("/hook"))


async def subscribe(
    services: Services, name: str, url: str, events: list[str], data_filter: dict[str, Any] | None = None
) -> Webhook:
    """A webhook of the default community, made by a host of it."""
    home = services.default_community
    return await services.webhooks.create(host_of(home), home, name, url, SECRET, events, data_filter)


async def wait_for_log(services: Services, hook: Webhook, count: int) -> list[WebhookAttempt]:
    """The webhook's log, newest first, once it holds ``count`` attempts."""
    home = services.default_community

    async def recorded() -> bool:
        return len(await services.webhooks.logs(host_of(home), home, hook.id)) >= count

    await until(recorded)
    return await services.webhooks.logs(host_of(home), home, hook.id)


def webhook(**changes: object) -> Webhook:
    base = Webhook(1, 7, "overlay", "https://example.com/hook", ("game.added",), {}, True, 10, NOW, None)
    return replace(base, **changes)  # type: ignore[arg-type]


def event(event_type: str = "game.added", sequence: int = 11, community_id: int = 7, **data: object) -> Event:
    return Event("e1", event_type, community_id, NOW, data, sequence)


def test_a_webhook_matches_subscribed_types_of_its_community_after_it_was_made() -> None:
    assert matches(webhook(), event())
    assert not matches(webhook(), event("vote.received"))
    assert not matches(webhook(), event(community_id=8))
    assert not matches(webhook(), event(sequence=10))
    assert not matches(webhook(enabled=False), event())
    assert matches(webhook(events=("*",)), event("vote.received"))


def test_a_data_filter_needs_every_value_with_its_type() -> None:
    coffee = webhook(events=("coffee.transaction",), data_filter={"group_id": 13})
    assert matches(coffee, event("coffee.transaction", group_id=13, amount=2))
    assert not matches(coffee, event("coffee.transaction", group_id=12))
    assert not matches(coffee, event("coffee.transaction", group_id="13"))
    assert not matches(coffee, event("coffee.transaction"))
    assert not matches(webhook(data_filter={"final": 1}), event(final=True))


def test_the_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = DeliveryPolicy(backoff=timedelta(seconds=10), max_backoff=timedelta(minutes=1))
    assert [policy.retry_delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_the_signature_is_the_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac topsecret
    assert sign("topsecret", "1700000000", '{"a":1}') == (
        "6a939b0c71853d606167625a15168ee9188c6a511c773ef4f42d307f3849e50f"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.8.9.10:8080/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:3000/hook",
        "http://LOCALHOST./hook",
        "http://api.localhost/hook",
    ],
)
def test_private_loopback_and_link_local_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_url(url, allow_private=False)
    assert str(refused.value) == "Webhook URLs may not point to private, loopback or link-local addresses"
    assert check_url(url, allow_private=True) == url


@pytest.mark.parametrize("url", ["https://example.com/hook", "http://93.184.216.34:8080/in", "https://[2606:4700::1]/"])
def test_public_targets_are_accepted(url: str) -> None:
    assert check_url(f"  {url} ", allow_private=False) == url


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com/hook", "https:///path", "http://h:99999/", ""])
def test_urls_that_are_not_http_are_refused(url: str) -> None:
    with pytest.raises(Invalid, match=r"^Invalid URL format$"):
        check_url(url, allow_private=True)


def test_urls_with_credentials_are_refused() -> None:
    with pytest.raises(Invalid, match=r"^Webhook URLs may not contain a user name or password$"):
        check_url("https://user:pw@example.com/hook", allow_private=False)


async def test_the_service_refuses_a_private_target_when_settings_do_not_allow_it(
    settings: Settings, clock: FakeClock
) -> None:
    strict = replace(settings, webhooks=replace(settings.webhooks, allow_private=False))
    async with open_services(strict, clock=clock) as opened:
        with pytest.raises(Invalid, match="private, loopback or link-local"):
            await subscribe(opened, "n", "http://127.0.0.1:9/h", ["*"])
        assert await opened.webhooks.list_all(host_of(opened.default_community), opened.default_community) == []


async def test_a_delivery_is_signed_over_timestamp_and_body_with_the_event_in_headers(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer, clock: FakeClock
) -> None:
    receiver = Receiver()
    url = await hook_url(aiohttp_server, receiver)
    await subscribe(services, "overlay", url, ["game.added"])
    async with running(services):
        added = await publish("game.added", {"sessionId": 3, "game": {"title": "Quiplash 3"}})
        [delivery] = await receiver.wait_for(1)
    timestamp = delivery.headers["X-Webhook-Timestamp"]
    assert timestamp == str(int(clock.now.timestamp()))
    expected = hmac.new(SECRET.encode(), f"{timestamp}.{delivery.body}".encode(), hashlib.sha256).hexdigest()
    assert delivery.headers["X-Webhook-Signature"] == f"sha256={expected}"
    assert delivery.headers["X-Webhook-Event-Id"] == added.id
    assert delivery.headers["X-Webhook-Event"] == "game.added"
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.json == {
        "id": added.id,
        "type": "game.added",
        "timestamp": "2026-11-23T12:00:00.000Z",
        "data": {"sessionId": 3, "game": {"title": "Quiplash 3"}},
    }


async def test_a_receiver_down_for_two_attempts_gets_the_event_once_after_backing_off(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer, sleep: VirtualSleep
) -> None:
    receiver = Receiver(statuses=(503, 503))
    url = await hook_url(aiohttp_server, receiver)
    hook = await subscribe(services, "overlay", url, ["vote.received"])
    async with running(services):
        first = await publish("vote.received", {"sessionId": 1, "vote": "up"})
        await receiver.wait_for(3)
        second = await publish("vote.received", {"sessionId": 1, "vote": "down"})
        log = await wait_for_log(services, hook, 4)
    assert [item.event_id for item in receiver.received] == [first.id, first.id, first.id, second.id]
    assert receiver.acknowledged() == [first.id, second.id]
    assert sleep.waits[:2] == [10.0, 20.0]
    assert [(a.request.event_id, a.attempt, a.outcome, a.response.status) for a in reversed(log)] == [
        (first.id, 1, DeliveryOutcome.ERROR, 503),
        (first.id, 2, DeliveryOutcome.ERROR, 503),
        (first.id, 3, DeliveryOutcome.OK, 200),
        (second.id, 1, DeliveryOutcome.OK, 200),
    ]
    first_tries = [a.sent_at for a in reversed(log)][:3]
    assert [later - earlier for earlier, later in itertools.pairwise(first_tries)] == [
        timedelta(seconds=10),
        timedelta(seconds=20),
    ]


async def test_a_receiver_gets_its_events_in_outbox_order_even_across_retries(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer
) -> None:
    receiver = Receiver(statuses=(500,))
    url = await hook_url(aiohttp_server, receiver)
    await subscribe(services, "all", url, ["*"])
    published = [await publish("game.status", {"sessionId": 1, "n": n}) for n in range(5)]
    async with running(services):
        await receiver.wait_for(6)
    assert receiver.acknowledged() == [item.id for item in published]


async def test_an_event_that_spends_the_retry_budget_is_given_up_and_the_next_one_follows(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer
) -> None:
    receiver = Receiver(statuses=(500, 500, 500))
    url = await hook_url(aiohttp_server, receiver)
    hook = await subscribe(services, "all", url, ["*"])
    async with running(services):
        doomed = await publish("session.ended", {"sessionId": 1})
        after = await publish("session.started", {"sessionId": 2})
        log = await wait_for_log(services, hook, 4)
    assert [item.event_id for item in receiver.received] == [doomed.id, doomed.id, doomed.id, after.id]
    assert [a.outcome for a in log] == [DeliveryOutcome.OK] + [DeliveryOutcome.ERROR] * 3


async def test_only_subscribed_types_of_the_community_that_pass_the_filter_are_delivered(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer
) -> None:
    receiver = Receiver()
    url = await hook_url(aiohttp_server, receiver)
    other = await services.communities.ensure(Platform.DISCORD, "42", "Other server")
    await subscribe(services, "group 13", url, ["coffee.transaction"], {"group_id": 13})
    await publish("coffee.transaction", {"group_id": 12})
    wanted = await publish("coffee.transaction", {"group_id": 13, "amount": 1})
    await publish("coffee.transaction", {"group_id": "13"})
    await publish("vote.received", {"group_id": 13})
    await publish("coffee.transaction", {"group_id": 13}, other)
    also_wanted = await publish("coffee.transaction", {"group_id": 13, "amount": -2})
    async with running(services):
        await receiver.wait_for(2)
    assert [item.event_id for item in receiver.received] == [wanted.id, also_wanted.id]


async def test_events_from_before_a_webhook_existed_or_while_disabled_are_not_sent(
    services: Services, publish: Publish, aiohttp_server: AiohttpServer
) -> None:
    receiver = Receiver()
    url = await hook_url(aiohttp_server, receiver)
    await publish("game.added", {"sessionId": 1})
    hook = await subscribe(services, "late", url, ["game.added"])
    home = services.default_community
    async with running(services):
        await services.webhooks.update(host_of(home), home, hook.id, WebhookChanges(enabled=False))
        await publish("game.added", {"sessionId": 2})
        await services.webhooks.update(host_of(home), home, hook.id, WebhookChanges(enabled=True))
        later = await publish("game.added", {"sessionId": 3})
        await receiver.wait_for(1)
    assert [item.event_id for item in receiver.received] == [later.id]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_deliveries_pending_when_the_app_stops_are_sent_after_a_restart(
    settings: Settings, clock: FakeClock, aiohttp_server: AiohttpServer
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with open_services(settings, clock=clock) as before:
        hook = await subscribe(before, "restart", url, ["*"])
        async with outbox_writer(settings.storage.path, before) as publish:
            async with running(before):
                tried = await publish("game.added", {"sessionId": 1})

                await wait_for_log(before, hook, 1)
            # Appended while no dispatcher runs: it must not be lost either.
            untried = await publish("vote.received", {"sessionId": 1})
    receiver = Receiver()
    await aiohttp_server(receiver.app, port=port)
    clock.advance(timedelta(seconds=10))
    async with open_services(settings, clock=clock) as after, running(after):
        log = await wait_for_log(after, hook, 3)
    assert receiver.acknowledged() == [tried.id, untried.id]
    assert [(a.request.event_id, a.attempt, a.outcome) for a in reversed(log)] == [
        (tried.id, 1, DeliveryOutcome.ERROR),
        (tried.id, 2, DeliveryOutcome.OK),
        (untried.id, 1, DeliveryOutcome.OK),
    ]
    assert log[-1].response.status is None
    assert log[-1].response.error is not None
