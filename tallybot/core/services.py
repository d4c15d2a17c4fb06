"""The bundle of services that the adapters are given."""

from dataclasses import dataclass

from tallybot.core.accounts.admin import AdminAuthService
from tallybot.core.accounts.communities import CommunityService
from tallybot.core.accounts.linking import ChatService
from tallybot.core.accounts.platform_tokens import PlatformTokenService
from tallybot.core.accounts.service import AccountService
from tallybot.core.adapters import AdapterStatusBoard
from tallybot.core.coffee.service import CoffeeService
from tallybot.core.events.streams import EventStreams
from tallybot.core.events.webhooks import WebhookService
from tallybot.core.gamenight.games import GameService
from tallybot.core.gamenight.room_monitor import RoomMonitor
from tallybot.core.gamenight.sessions import SessionService
from tallybot.core.gamenight.tonight import TonightService
from tallybot.core.gamenight.votes import VoteService
from tallybot.core.models import Community
from tallybot.core.overlays.service import OverlayService
from tallybot.core.poker.service import PokerService
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
