"""Stream overlays and the dashboard: who may read them, and the boards they show.

An overlay URL is pasted into OBS, shown on screen and shared, so it must never hold a
token that can change anything. Overlays of a community are read either by anyone (when
the community is listed as public in the settings) or with a *viewer* API token, which
every write route refuses. A token that can write is refused in a URL, public or not.
"""

from collections.abc import Collection

from tallybot.core.accounts import AccountService
from tallybot.core.adapters import AdapterStatusBoard
from tallybot.core.errors import Forbidden, NotFound, Unauthorized
from tallybot.core.models import Community, Principal, Role
from tallybot.core.overlays.models import (
    CoffeeBoard,
    Dashboard,
    GameNightBoard,
    PokerBoard,
    current_game,
    leaderboard,
)
from tallybot.core.poker import build_view
from tallybot.core.ports import Database, Transaction

NO_READ_ACCESS = (
    "This community's overlays need a viewer token: add ?token=... to the URL "
    "(make one with: tallybot token create --role viewer)"
)
WRITER_IN_URL = (
    "This token can change things, so it must never be put in a URL. "
    "Overlays take a read-only viewer token (tallybot token create --role viewer)"
)
OTHER_COMMUNITY = "This token is for another community"
# The dashboard lists this many open poker sessions and coffee groups at most.
LISTED = 50


def _can_write(asker: Principal) -> bool:
    """A person's session always can (their own account at least); an API token unless it is a viewer's."""
    return asker.person is not None or any(role is not Role.VIEWER for role in asker.roles.values())


class OverlayService:
    """Read access to overlays, and the read-only boards of game night, poker, coffee and the dashboard."""

    def __init__(
        self,
        db: Database,
        accounts: AccountService,
        adapters: AdapterStatusBoard,
        public_communities: Collection[str],
    ) -> None:
        self._db = db
        self._accounts = accounts
        self._adapters = adapters
        self._public = frozenset(public_communities)

    def is_public(self, community: Community) -> bool:
        """True when anyone may read the community's overlays."""
        return community.slug in self._public

    async def may_read(self, community: Community, url_token: str | None, bearer: str | None) -> bool:
        """Whether the asker may read the community's overlays.

        ``url_token`` (from the URL's query) must be a viewer token of the community: any
        token that can write is Forbidden there, so that it is noticed and replaced. A
        ``bearer`` token (from a header, which is not shown on screen) may be any token
        with a role in the community. An unknown or expired token is Unauthorized.
        """
        if url_token is not None:
            asker = await self._accounts.authenticate(url_token)
            if _can_write(asker):
                raise Forbidden(WRITER_IN_URL)
            if asker.role_in(community.id) is not Role.VIEWER:
                raise Forbidden(OTHER_COMMUNITY)
            return True
        if self.is_public(community):
            return True
        if bearer is not None:
            if (await self._accounts.authenticate(bearer)).role_in(community.id) is None:
                raise Forbidden(OTHER_COMMUNITY)
            return True
        return False

    async def authorize(self, community: Community, url_token: str | None, bearer: str | None) -> None:
        """Raise unless the asker may read the community's overlays (see ``may_read``)."""
        if not await self.may_read(community, url_token, bearer):
            raise Unauthorized(NO_READ_ACCESS)

    async def game_night(self, community: Community) -> GameNightBoard:
        """The active game night and its game on screen."""
        return await self._db.read(lambda tx: _game_night(tx, community))

    async def poker(self, community: Community, session_id: str) -> PokerBoard:
        """A poker session, open or closed, with its newest prompt; cards only once revealed."""

        async def work(tx: Transaction) -> PokerBoard:
            session = await tx.poker.session(community.id, session_id)
            if session is None:
                raise NotFound(f"No session with id {session_id}")
            participants = await tx.poker.participants(session.id)
            prompt = await tx.poker.latest_prompt(session.id)
            view = None
            if prompt is not None:
                rounds, votes = await tx.poker.rounds(prompt.id), await tx.poker.votes(prompt.id)
                view = build_view(session, prompt, participants, rounds, votes)
            return PokerBoard(session, tuple(person.name for person in participants), view)

        return await self._db.read(work)

    async def coffee(self, community: Community, group_id: int) -> CoffeeBoard:
        """A coffee group's leaderboard; a group of another community reads as unknown."""

        async def work(tx: Transaction) -> CoffeeBoard:
            group = await tx.coffee.group(group_id)
            if group is None or group.community_id != community.id:
                raise NotFound(f"No coffee group {group_id} in this community")
            return CoffeeBoard(group, leaderboard(await tx.coffee.members(group.id)))

        return await self._db.read(work)

    async def dashboard(self, community: Community, details_shown: bool) -> Dashboard:
        """What is running: chat adapters, the game night and, if shown, open poker sessions and coffee groups."""

        async def work(tx: Transaction) -> Dashboard:
            board = await _game_night(tx, community)
            sessions = await tx.poker.open_sessions(community.id, LISTED) if details_shown else []
            groups = await tx.coffee.groups_in(community.id, LISTED) if details_shown else []
            statuses = tuple(self._adapters.statuses())
            return Dashboard(community, statuses, board, details_shown, tuple(sessions), tuple(groups))

        return await self._db.read(work)


async def _game_night(tx: Transaction, community: Community) -> GameNightBoard:
    session = await tx.game_nights.active(community.id)
    if session is None:
        return GameNightBoard(None, None)
    return GameNightBoard(session, current_game(await tx.game_nights.games(community.id, session.id)))
