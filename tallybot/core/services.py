"""The bundle of services that the adapters are given."""

from dataclasses import dataclass

from tallybot.core.accounts import AccountService
from tallybot.core.adapters import AdapterStatusBoard
from tallybot.core.admin import AdminAuthService
from tallybot.core.chat import ChatService
from tallybot.core.coffee import CoffeeService
from tallybot.core.communities import CommunityService
from tallybot.core.gamenight import SessionService
from tallybot.core.games import GameService
from tallybot.core.models import Community
from tallybot.core.overlays import OverlayService
from tallybot.core.platform_tokens import PlatformTokenService
from tallybot.core.poker import PokerService
from tallybot.core.ports import Clock, EventBus
from tallybot.core.room_monitor import RoomMonitor
from tallybot.core.streams import EventStreams
from tallybot.core.tonight import TonightService
from tallybot.core.votes import VoteService
from tallybot.core.webhooks import WebhookService


@dataclass(frozen=True)
class Services:
    """Every service, built once in ``bot/__main__.py`` and handed to each adapter."""

    clock: Clock
    bus: EventBus
    communities: CommunityService
    accounts: AccountService
    admin_auth: AdminAuthService
    games: GameService
    game_nights: SessionService
    room_monitor: RoomMonitor
    votes: VoteService
    coffee: CoffeeService
    poker: PokerService
    webhooks: WebhookService
    streams: EventStreams
    default_community: Community
    adapters: AdapterStatusBoard
    chat: ChatService
    tonight: TonightService
    platform_tokens: PlatformTokenService
    overlays: OverlayService
