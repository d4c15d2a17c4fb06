"""Tonight: a community's running game night as chat sees it, with no ids to type.

Chat commands act on the active session and on its current game (the one playing, or
else the one added last). Each method finds those and then uses the same session, game
and vote services as the HTTP API, so a change from chat publishes the same events. A
change takes the person typing and is a host's only (NotHost); reading tonight is anyone's.
"""

from dataclasses import dataclass

from tallybot.core.errors import Invalid
from tallybot.core.gamenight import titles as game_titles
from tallybot.core.gamenight.game_models import MAX_PLAYERS, GameFilter, Pick
from tallybot.core.gamenight.games import GameService
from tallybot.core.gamenight.models import GameNight, GameStatus, GameVotes, SessionGame
from tallybot.core.gamenight.sessions import SessionService, check_room_code
from tallybot.core.gamenight.votes import VoteService
from tallybot.core.models import Community, Principal

NO_NIGHT = "No game night is running right now"
NO_GAME_YET = "No game has been added to tonight's game night yet"


@dataclass(frozen=True)
class Tonight:
    """The running game night and its games, in the order they were played."""

    session: GameNight
    games: list[SessionGame]

    @property
    def current(self) -> SessionGame | None:
        """The game playing now, or else the one added last."""
        playing = [game for game in self.games if game.status is GameStatus.PLAYING]
        candidates = playing or self.games
        return candidates[-1] if candidates else None


class TonightService:
    """The running game night of each community, for chat."""

    def __init__(self, sessions: SessionService, games: GameService, votes: VoteService) -> None:
        self._sessions = sessions
        self._games = games
        self._votes = votes

    async def _session(self, community: Community) -> GameNight:
        session = await self._sessions.active(community)
        if session is None:
            raise Invalid(NO_NIGHT)
        return session

    async def _current(self, community: Community) -> SessionGame:
        current = (await self.now(community)).current
        if current is None:
            raise Invalid(NO_GAME_YET)
        return current

    async def now(self, community: Community) -> Tonight:
        """The running game night with its games; Invalid if none is running."""
        session = await self._session(community)
        return Tonight(session, await self._sessions.games(community, session.id))

    async def add_game(
        self, asker: Principal, community: Community, title: str, room_code: str | None = None
    ) -> SessionGame:
        """Start playing the game ``title`` names tonight.

        With no ``room_code`` of its own, ``title`` may end with one (chat's ``Quiplash 3 ABCD``).
        A ``room_code`` given apart (any case) must be one, which is checked before the title.
        """
        asker.check_host_of(community.id)
        code = None if room_code is None else check_room_code(room_code.strip().upper())
        session = await self._session(community)
        games = await self._games.list_games(community, GameFilter())
        if code is None:
            game, code = game_titles.find_with_room_code(games, title)
        else:
            game = game_titles.find(games, title)
        return await self._sessions.add_game(asker, community, session.id, game.id, True, code)

    async def set_room_code(self, asker: Principal, community: Community, room_code: str) -> SessionGame:
        """Record the current game's room code (any case)."""
        asker.check_host_of(community.id)
        current = await self._current(community)
        code = room_code.strip().upper()
        return await self._sessions.set_room_code(asker, community, current.session_id, current.id, code)

    async def set_status(self, asker: Principal, community: Community, status: str) -> SessionGame:
        """Mark the current game playing, played or skipped; returns it as it was before."""
        asker.check_host_of(community.id)
        current = await self._current(community)
        await self._sessions.set_status(asker, community, current.session_id, current.id, status.strip().lower())
        return current

    async def set_player_count(self, asker: Principal, community: Community, player_count: int) -> SessionGame:
        """Record how many played the current game; returns it as it was before."""
        asker.check_host_of(community.id)
        current = await self._current(community)
        await self._sessions.set_player_count(asker, community, current.session_id, current.id, player_count)
        return current

    async def close(self, asker: Principal, community: Community, notes: str | None) -> GameNight:
        """End the running game night."""
        asker.check_host_of(community.id)
        session = await self._session(community)
        return await self._sessions.close(asker, community, session.id, notes)

    async def votes(self, community: Community) -> list[GameVotes]:
        """Tonight's live votes per game, best net score first."""
        session = await self._session(community)
        return await self._votes.session_votes(community, session.id)

    async def pick(self, community: Community, player_count: int) -> Pick:
        """An enabled game for this many players, skipping tonight's last two if a night is running."""
        if not 1 <= player_count <= MAX_PLAYERS:
            raise Invalid(f"The number of players must be from 1 to {MAX_PLAYERS}")
        session = await self._sessions.active(community)
        session_id = None if session is None else session.id
        return await self._games.pick(community, GameFilter(player_count=player_count), session_id, False)

    async def titles(self, community: Community, typed: str, limit: int = 25) -> list[str]:
        """Game labels containing what was typed, for a title autocomplete."""
        return game_titles.suggest(await self._games.list_games(community, GameFilter()), typed, limit)
