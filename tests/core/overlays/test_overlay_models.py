"""The rules overlays show by: which game is on screen, and how a coffee leaderboard ranks."""

from datetime import UTC, datetime

from tallybot.core.coffee import Member, Profile
from tallybot.core.gamenight import GameStatus, SessionGame
from tallybot.core.overlays.models import current_game, leaderboard

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def game(row_id: int, status: GameStatus) -> SessionGame:
    return SessionGame(
        row_id, 1, row_id, False, status, None, NOON, None, None, "Pack", f"Game {row_id}", None, 1, 8, 0, 0
    )


def member(person_id: int, name: str, balance: int, active: bool = True) -> Member:
    return Member(Profile(person_id, name.lower(), name, None), balance, active)


def test_the_game_on_screen_is_the_playing_one_else_the_last_added() -> None:
    assert current_game([]) is None
    played, playing, skipped = game(1, GameStatus.PLAYED), game(2, GameStatus.PLAYING), game(3, GameStatus.SKIPPED)
    assert current_game([played, playing, skipped]) == playing
    assert current_game([played, skipped]) == skipped


def test_the_leaderboard_ranks_by_balance_shares_places_on_ties_and_leaves_out_who_left() -> None:
    members = [
        member(1, "mona", 2),
        member(2, "Ryan", -3),
        member(3, "alice", 2),
        member(4, "Bob", 0),
        member(5, "Gone", 9, active=False),
    ]
    ranked = [(standing.rank, standing.member.profile.display_name) for standing in leaderboard(members)]
    assert ranked == [(1, "alice"), (1, "mona"), (3, "Bob"), (4, "Ryan")]
