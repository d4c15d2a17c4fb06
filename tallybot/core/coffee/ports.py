"""What the coffee scoreboard needs from outside: its repository and the OAuth sign-in providers."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tallybot.core.coffee.models import CoffeeTransaction, Group, GroupStanding, Member, OAuthProfile, Profile, Team
from tallybot.core.models import Provider


class CoffeeRepository(Protocol):
    """The coffee scoreboard: GitHub teams, groups, members, transactions and devices."""

    async def set_profile(self, person_id: int, display_name: str, avatar_url: str | None) -> None:
        """Refresh a person's name and picture from their sign-in provider."""

    async def sync_team(self, github_id: int, name: str, org: str, person_ids: Sequence[int], at: datetime) -> None:
        """Record a GitHub team and make ``person_ids`` its only members."""

    async def leave_teams_except(self, person_id: int, github_ids: Sequence[int]) -> None:
        """Take a person out of every GitHub team not in ``github_ids``."""

    async def teams_of(self, person_id: int) -> list[Team]:
        """The GitHub teams a person belongs to, with their member counts."""

    async def communities_of(self, person_id: int, platforms: Sequence[str]) -> list[Team]:
        """The communities on ``platforms`` a person is a known member of, keyed by slug."""

    async def team_member_ids(self, github_id: int) -> list[int]:
        """The people in a GitHub team."""

    async def community_member_ids(self, community_id: int) -> list[int]:
        """The known members of a community."""

    async def add_group(
        self, community_id: int, github_id: int | None, name: str, timezone: str, created_by: int, at: datetime
    ) -> Group:
        """Insert a group (without members)."""

    async def group(self, group_id: int) -> Group | None:
        """The group with this id."""

    async def groups_in(self, community_id: int, limit: int) -> list[Group]:
        """Up to ``limit`` groups of a community, by name."""

    async def group_from(self, community_id: int, github_id: int | None) -> Group | None:
        """The group already made from a GitHub team, or from a community's members."""

    async def rename_group(self, group_id: int, name: str, timezone: str) -> Group:
        """Change a group's name and timezone."""

    async def groups_of(self, person_id: int, community_id: int | None) -> list[GroupStanding]:
        """Every group a person is a member of (optionally in one community), with balances."""

    async def members(self, group_id: int) -> list[Member]:
        """Every member of a group, active or not."""

    async def join(self, group_id: int, person_id: int, at: datetime) -> None:
        """Add a member with balance 0, or reactivate one who left (keeping their balance)."""

    async def deactivate(self, group_id: int, person_id: int) -> None:
        """Mark a member as gone; their balance and history stay."""

    async def transfer(self, group_id: int, buyer_id: int, receiver_id: int, amount: int) -> None:
        """Raise the buyer's balance and lower the receiver's by ``amount``, in one statement."""

    async def add_transaction(
        self,
        group_id: int,
        from_person_id: int,
        to_person_id: int,
        amount: int,
        note: str | None,
        location: tuple[float | None, float | None, float | None, datetime | None],
        created_by: int,
        created_at: datetime,
    ) -> CoffeeTransaction:
        """Insert a transaction; ``location`` is (latitude, longitude, accuracy, location date)."""

    async def transactions(
        self, group_id: int, before_id: int | None, after_id: int | None, limit: int, oldest_first: bool
    ) -> list[CoffeeTransaction]:
        """A group's transactions with ids strictly between ``after_id`` and ``before_id``."""

    async def transaction(self, transaction_id: int) -> CoffeeTransaction | None:
        """The transaction with this id, in whichever group it is."""

    async def profile(self, person_id: int) -> Profile | None:
        """A person's public profile."""

    async def shares_group(self, person_id: int, other_id: int) -> bool:
        """True if both people are (or were) members of one group."""

    async def register_device(self, uuid: str, person_id: int, token: str, token_type: str, at: datetime) -> None:
        """Store a device's push token, replacing whatever was registered for that uuid."""


class OAuthClient(Protocol):
    """Signs people in with an outside provider (GitHub, Discord, Twitch)."""

    def authorize_url(self, provider: Provider) -> str:
        """Where to send a person to grant access; the provider sends them back with a code."""

    async def profile(self, provider: Provider, code: str) -> OAuthProfile:
        """Exchange an authorization code for the person's profile (and GitHub teams)."""
