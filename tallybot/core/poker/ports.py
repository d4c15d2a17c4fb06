"""What the planning-poker service needs from outside: its repository."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tallybot.core.poker.models import Participant, PokerSession, Prompt, Round, Vote


class PokerRepository(Protocol):
    """Planning-poker sessions, participants (tokens hashed), prompts, voting rounds and votes."""

    async def free_id_index(self, start: int, space: int) -> int | None:
        """The first unused session id index at or after ``start``, wrapping to 0; None when all are used."""

    async def add_session(
        self,
        community_id: int,
        public_id: str,
        id_index: int,
        deck: Sequence[str],
        created_at: datetime,
        chat_channel_id: str | None = None,
    ) -> PokerSession:
        """Insert an open session; ``chat_channel_id`` is the chat channel it was started in."""

    async def session(self, community_id: int, public_id: str) -> PokerSession | None:
        """The community's session with this friendly id, open or closed."""

    async def open_sessions(self, community_id: int, limit: int) -> list[PokerSession]:
        """Up to ``limit`` open sessions of a community, newest first."""

    async def joined_session(self, community_id: int, person_id: int) -> PokerSession | None:
        """The community's open session that the person joined most recently."""

    async def close_session(self, session_id: int, at: datetime) -> None:
        """Mark the session closed."""

    async def bump_version(self, session_id: int) -> int:
        """Count a change to the session; returns the new version."""

    async def add_participant(
        self,
        session_id: int,
        name: str,
        token_hash: str | None,
        person_id: int | None,
        is_owner: bool,
        joined_at: datetime,
    ) -> Participant:
        """Insert a participant, known by a token's hash or (from chat) by their person."""

    async def participant_by_token(self, session_id: int, token_hash: str) -> Participant | None:
        """The session's participant whose token hashes to this value."""

    async def participant_by_person(self, session_id: int, person_id: int) -> Participant | None:
        """The session's participant who joined from chat as this person."""

    async def participants(self, session_id: int) -> list[Participant]:
        """The session's participants in the order they joined."""

    async def add_prompt(self, session_id: int, text: str, created_at: datetime) -> Prompt:
        """Insert the session's next prompt, with its first round."""

    async def prompt(self, session_id: int, number: int) -> Prompt | None:
        """The session's prompt with this number."""

    async def latest_prompt(self, session_id: int) -> Prompt | None:
        """The session's newest prompt."""

    async def prompts(self, session_id: int) -> list[Prompt]:
        """The session's prompts, oldest first."""

    async def start_round(self, prompt_id: int, number: int, started_at: datetime) -> None:
        """Open a round of voting on a prompt."""

    async def reveal_round(self, prompt_id: int, number: int, at: datetime) -> None:
        """Mark a round revealed."""

    async def rounds(self, prompt_id: int) -> list[Round]:
        """A prompt's rounds, oldest first."""

    async def rounds_in_session(self, session_id: int) -> list[Round]:
        """Every round of every prompt in the session, by prompt and then round."""

    async def set_vote(self, vote: Vote) -> None:
        """Record a participant's card for a round, replacing their earlier card in it."""

    async def votes(self, prompt_id: int) -> list[Vote]:
        """Every card played on a prompt, in every round."""

    async def votes_in_session(self, session_id: int) -> list[Vote]:
        """Every card played in the session."""
