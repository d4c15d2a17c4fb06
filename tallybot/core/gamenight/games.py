"""Game night's catalogue: browsing and filtering games, custom games, toggles, favour, CSV, the picker, stats.

Every community sees the shipped catalogue plus its own custom games. Enabling, favour
bias, play counts and votes are kept per community, so one community's choices never show
up in another's. Reading and picking are open to all; every change and the CSV export take
the caller and raise NotHost unless they are a host of the community.
"""

import random
from collections.abc import Sequence

from tallybot.core.errors import Conflict, Forbidden, Invalid, NotFound
from tallybot.core.gamenight import picker
from tallybot.core.gamenight.game_models import (
    FAVOR_BIASES,
    CatalogueStats,
    Game,
    GameDetails,
    GameFilter,
    ImportReport,
    Pack,
    Pick,
)
from tallybot.core.gamenight.games_csv import format_csv, parse_csv
from tallybot.core.models import Community, Principal
from tallybot.core.ports import Clock, Database, Transaction

# How many games the top-rated and most-played lists of the stats hold.
STATS_LIST_LENGTH = 10

GAME_NOT_FOUND = "Game not found"
PACK_NOT_FOUND = "Pack not found"


def packs_of(games: Sequence[Game]) -> list[Pack]:
    """The packs of these games, by name, with their counts."""
    by_name: dict[str, list[Game]] = {}
    for game in games:
        by_name.setdefault(game.details.pack_name, []).append(game)
    return [
        Pack(
            name=name,
            favor_bias=members[0].pack_favor_bias,
            game_count=len(members),
            enabled_count=sum(game.enabled for game in members),
            play_count=sum(game.play_count for game in members),
        )
        for name, members in sorted(by_name.items())
    ]


def _check_details(details: GameDetails) -> None:
    problems = details.problems()
    if problems:
        raise Invalid("; ".join(problems))


def _check_favor(favor_bias: int) -> None:
    if favor_bias not in FAVOR_BIASES:
        raise Invalid("favor_bias must be -1, 0 or 1")


def _check_unique(games: Sequence[Game], details: GameDetails, except_id: int | None = None) -> None:
    if any(game.id != except_id and game.details.same_name(details) for game in games):
        raise Conflict(f"A game called {details.title!r} is already in the pack {details.pack_name!r}")


async def _visible_game(tx: Transaction, community: Community, game_id: int) -> Game:
    game = await tx.games.get(community.id, game_id)
    if game is None:
        raise NotFound(GAME_NOT_FOUND)
    return game


async def _custom_game(tx: Transaction, community: Community, game_id: int) -> Game:
    game = await _visible_game(tx, community, game_id)
    if not game.is_custom:
        raise Forbidden("Games from the shipped catalogue cannot be edited or deleted; disable the game instead")
    return game


async def _pack_games(tx: Transaction, community: Community, pack_name: str) -> list[Game]:
    games = [game for game in await tx.games.visible(community.id) if game.details.pack_name == pack_name]
    if not games:
        raise NotFound(PACK_NOT_FOUND)
    return games


class GameService:
    """The games catalogue and the picker, over the shared database.

    ``rng`` makes the picker's choices; tests pass a seeded ``random.Random``.
    """

    def __init__(self, db: Database, clock: Clock, rng: random.Random) -> None:
        self._db = db
        self._clock = clock
        self._rng = rng

    async def install_catalogue(self, games: Sequence[GameDetails]) -> int:
        """Add the shipped games that are not in the database yet; returns how many were new."""
        now = self._clock()

        async def work(tx: Transaction) -> int:
            return await tx.games.add_catalogue(games, now)

        return await self._db.write(work)

    async def list_games(self, community: Community, filters: GameFilter) -> list[Game]:
        """The community's games that pass the filters, by pack and title."""

        async def work(tx: Transaction) -> list[Game]:
            return await tx.games.visible(community.id)

        return [game for game in await self._db.read(work) if filters.matches(game)]

    async def get_game(self, community: Community, game_id: int) -> Game:
        """One game, or NotFound."""

        async def work(tx: Transaction) -> Game:
            return await _visible_game(tx, community, game_id)

        return await self._db.read(work)

    async def packs(self, community: Community) -> list[Pack]:
        """Every pack the community has games in, with counts and plays."""

        async def work(tx: Transaction) -> list[Game]:
            return await tx.games.visible(community.id)

        return packs_of(await self._db.read(work))

    async def add_game(self, asker: Principal, community: Community, details: GameDetails) -> Game:
        """Add a custom game to the community's catalogue."""
        asker.check_host_of(community.id)
        _check_details(details)
        now = self._clock()

        async def work(tx: Transaction) -> Game:
            _check_unique(await tx.games.visible(community.id), details)
            return await tx.games.add(community.id, details, now)

        return await self._db.write(work)

    async def update_game(self, asker: Principal, community: Community, game_id: int, details: GameDetails) -> Game:
        """Replace the details of one of the community's custom games."""
        asker.check_host_of(community.id)
        _check_details(details)

        async def work(tx: Transaction) -> Game:
            await _custom_game(tx, community, game_id)
            _check_unique(await tx.games.visible(community.id), details, except_id=game_id)
            return await tx.games.update(community.id, game_id, details)

        return await self._db.write(work)

    async def delete_game(self, asker: Principal, community: Community, game_id: int) -> Game:
        """Delete one of the community's custom games that was never played; returns it."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> Game:
            game = await _custom_game(tx, community, game_id)
            if await tx.games.is_played(game_id):
                raise Conflict("This game has been played in a session, so it cannot be deleted; disable it instead")
            await tx.games.delete(game_id)
            return game

        return await self._db.write(work)

    async def toggle_game(self, asker: Principal, community: Community, game_id: int) -> Game:
        """Enable a disabled game or disable an enabled one, for this community."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> Game:
            game = await _visible_game(tx, community, game_id)
            await tx.games.set_enabled(community.id, [game_id], not game.enabled)
            return await _visible_game(tx, community, game_id)

        return await self._db.write(work)

    async def set_pack_enabled(self, asker: Principal, community: Community, pack_name: str, enabled: bool) -> int:
        """Enable or disable every game of a pack; returns how many games the pack has."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> int:
            games = await _pack_games(tx, community, pack_name)
            await tx.games.set_enabled(community.id, [game.id for game in games], enabled)
            return len(games)

        return await self._db.write(work)

    async def set_game_favor(self, asker: Principal, community: Community, game_id: int, favor_bias: int) -> Game:
        """Favour (1), disfavour (-1) or neutralise (0) a game in the picker."""
        asker.check_host_of(community.id)
        _check_favor(favor_bias)

        async def work(tx: Transaction) -> Game:
            await _visible_game(tx, community, game_id)
            await tx.games.set_favor(community.id, game_id, favor_bias)
            return await _visible_game(tx, community, game_id)

        return await self._db.write(work)

    async def set_pack_favor(self, asker: Principal, community: Community, pack_name: str, favor_bias: int) -> Pack:
        """Favour (1), disfavour (-1) or neutralise (0) a whole pack in the picker."""
        asker.check_host_of(community.id)
        _check_favor(favor_bias)

        async def work(tx: Transaction) -> Pack:
            await _pack_games(tx, community, pack_name)
            await tx.games.set_pack_favor(community.id, pack_name, favor_bias)
            return packs_of(await _pack_games(tx, community, pack_name))[0]

        return await self._db.write(work)

    async def export_csv(self, asker: Principal, community: Community) -> str:
        """Every game the community sees, as CSV text."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> list[Game]:
            return await tx.games.visible(community.id)

        return format_csv(game.details for game in await self._db.read(work))

    async def import_csv(self, asker: Principal, community: Community, text: str) -> ImportReport:
        """Add new rows as custom games and update the community's custom games; all rows or none.

        A row that names a catalogue game, or a custom game without changing it, is skipped.
        """
        asker.check_host_of(community.id)
        rows = parse_csv(text)
        now = self._clock()

        async def work(tx: Transaction) -> ImportReport:
            existing = await tx.games.visible(community.id)
            imported = updated = 0
            for _, details in rows:
                game = next((game for game in existing if game.details.same_name(details)), None)
                if game is None:
                    await tx.games.add(community.id, details, now)
                    imported += 1
                elif game.is_custom and game.details != details:
                    await tx.games.update(community.id, game.id, details)
                    updated += 1
            return ImportReport(imported=imported, updated=updated, skipped=len(rows) - imported - updated)

        return await self._db.write(work)

    async def pick(
        self, community: Community, filters: GameFilter, session_id: int | None, exclude_played: bool
    ) -> Pick:
        """One enabled game that passes the filters, drawn at random by weight (see ``core.picker``).

        With a session, the last two games played in it are skipped, or every game played
        in it when ``exclude_played`` is set.
        """

        async def work(tx: Transaction) -> tuple[list[Game], list[int]]:
            history = [] if session_id is None else await tx.games.session_history(community.id, session_id)
            if history is None:
                raise NotFound("Session not found")
            return await tx.games.visible(community.id), history

        games, played = await self._db.read(work)
        enabled = [game for game in games if game.enabled]
        matching = [game for game in enabled if filters.matches(game)]
        if not matching:
            raise NotFound("No enabled games match the given filters")
        skip = picker.excluded_ids(played, exclude_played)
        pool = [game for game in matching if game.id not in skip]
        if not pool:
            when = "already in this session" if exclude_played else "among the last 2 games of this session"
            raise NotFound(f"Every enabled game that matches the given filters was played {when}")
        return Pick(game=picker.choose(pool, self._rng), pool_size=len(pool), total_enabled=len(enabled))

    async def stats(self, community: Community) -> CatalogueStats:
        """Totals over the community's games and sessions, and its top-rated and most-played games."""

        async def work(tx: Transaction) -> tuple[list[Game], int]:
            return await tx.games.visible(community.id), await tx.games.session_count(community.id)

        games, sessions = await self._db.read(work)
        voted = [game for game in games if game.upvotes or game.downvotes]
        played = [game for game in games if game.play_count]
        return CatalogueStats(
            total_games=len(games),
            enabled_games=sum(game.enabled for game in games),
            total_packs=len({game.details.pack_name for game in games}),
            total_sessions=sessions,
            total_plays=sum(game.play_count for game in games),
            total_votes=sum(game.upvotes + game.downvotes for game in games),
            top_rated=tuple(
                sorted(voted, key=lambda game: (-game.popularity_score, -game.upvotes, game.details.title))
            )[:STATS_LIST_LENGTH],
            most_played=tuple(sorted(played, key=lambda game: (-game.play_count, game.details.title)))[
                :STATS_LIST_LENGTH
            ],
        )
