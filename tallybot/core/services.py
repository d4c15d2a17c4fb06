"""The bundle of services that the adapters are given."""

from dataclasses import dataclass

from tallybot.core.accounts import AccountService, AdminAuthService, ChatService, CommunityService, PlatformTokenService
from tallybot.core.adapters import AdapterStatusBoard
from tallybot.core.announcements import AnnouncementService
from tallybot.core.coffee import CoffeeService
from tallybot.core.events import EventStreams, WebhookService
from tallybot.core.gamenight import GameService, RoomMonitor, SessionService, TonightService, VoteService
from tallybot.core.models import Community
from tallybot.core.overlays import OverlayService
from tallybot.core.poker import PokerService
from tallybot.core.ports import Clock, EventBus


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
    announcements: AnnouncementService
