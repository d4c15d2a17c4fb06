"""A community's webhooks are a host's: the webhook service takes the caller and checks it.

Called straight on the services (real SQLite): a member, or a host of another community,
is refused with NotHost and nothing is written; a host's call goes through.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import pytest

from tallybot.core.events import Webhook, WebhookChanges
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import Who, refused_and_nothing_written, written_by_a_host
from tests.helpers import host_of

# A closed loopback port: a test delivery is refused at once and recorded as an error.
URL = "http://127.0.0.1:1/hook"
SECRET = "correct horse battery staple"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhooks=replace(settings.webhooks, allow_private=True))


@dataclass(frozen=True)
class Hooked:
    """A community with one webhook, and another community."""

    community: Community
    elsewhere: Community
    hook: Webhook


@pytest.fixture
async def hooked(services: Services) -> Hooked:
    home = services.default_community
    hook = await services.webhooks.create(host_of(home), home, "overlay", URL, SECRET, ["game.added"])
    elsewhere = await services.communities.ensure(Platform.DISCORD, "78", "Another server")
    return Hooked(home, elsewhere, hook)


Call = Callable[[Services, Hooked, Who], Awaitable[object]]

WRITES: dict[str, Call] = {
    "create": lambda s, h, who: s.webhooks.create(who(h.community), h.community, "another", URL, SECRET, ["*"]),
    "update": lambda s, h, who: s.webhooks.update(
        who(h.community), h.community, h.hook.id, WebhookChanges(name="renamed")
    ),
    "delete": lambda s, h, who: s.webhooks.delete(who(h.community), h.community, h.hook.id),
    "test": lambda s, h, who: s.webhooks.test(who(h.community), h.community, h.hook.id),
}
# A webhook says where a community's events go, and its log what was sent: hosts only.
READS: dict[str, Call] = {
    "list_all": lambda s, h, who: s.webhooks.list_all(who(h.community), h.community),
    "get": lambda s, h, who: s.webhooks.get(who(h.community), h.community, h.hook.id),
    "logs": lambda s, h, who: s.webhooks.logs(who(h.community), h.community, h.hook.id),
}


@pytest.mark.parametrize("name", [*WRITES, *READS])
async def test_a_member_is_refused_every_webhook_call_and_nothing_is_written(
    services: Services, settings: Settings, hooked: Hooked, name: str
) -> None:
    call = {**WRITES, **READS}[name]
    await refused_and_nothing_written(settings.storage.path, lambda who: call(services, hooked, who), hooked.elsewhere)


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_host_manages_the_communitys_webhooks(
    services: Services, settings: Settings, hooked: Hooked, name: str
) -> None:
    await written_by_a_host(settings.storage.path, lambda who: WRITES[name](services, hooked, who))


async def test_a_host_reads_the_communitys_webhooks(services: Services, hooked: Hooked) -> None:
    host = host_of(hooked.community)
    assert await services.webhooks.list_all(host, hooked.community) == [hooked.hook]
    assert await services.webhooks.get(host, hooked.community, hooked.hook.id) == hooked.hook
    assert await services.webhooks.logs(host, hooked.community, hooked.hook.id) == []
