"""The bundle of services that the adapters are given."""

from dataclasses import dataclass

from tallybot.core.accounts import AccountService
from tallybot.core.communities import CommunityService
from tallybot.core.models import Community
from tallybot.core.ports import Clock, EventBus


@dataclass(frozen=True)
class Services:
    """Every service, built once in ``bot/__main__.py`` and handed to each adapter."""

    clock: Clock
    bus: EventBus
    communities: CommunityService
    accounts: AccountService
    default_community: Community
