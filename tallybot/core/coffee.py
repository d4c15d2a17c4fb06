"""The coffee scoreboard: who bought whom coffee, in groups made from teams and communities.

People sign in with GitHub, Discord or Twitch and get a tallybot session (never the
provider's token). A group takes its members from a GitHub team (as last fetched when one
of its members signed in) or from the known members of a Discord server or Twitch
channel. Balances are zero-sum, and every transaction is published as a
``coffee.transaction`` event in the same unit of work.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from tallybot.core.accounts import AccountService
from tallybot.core.coffee_access import invalid, load_membership, not_found
from tallybot.core.coffee_callbacks import TRANSACTION_EVENT, CoffeeCallbacks
from tallybot.core.coffee_models import (
    CHAT_PLATFORMS,
    GROUP_INFO_TRANSACTIONS,
    SIGN_IN_PROVIDERS,
    CoffeeTransaction,
    Entry,
    Group,
    GroupInfo,
    GroupStanding,
    HistoryPage,
    Member,
    OAuthUser,
    Profile,
    Resync,
    SignedIn,
    Team,
    UserInfo,
    balance_range,
    device_problems,
    group_problems,
    history_problems,
    summary,
    transaction_problems,
)
from tallybot.core.errors import Conflict
from tallybot.core.events import new_event
from tallybot.core.models import Community, Identity, Person, Provider
from tallybot.core.ports import Clock, Database, OAuthClient, Transaction
from tallybot.core.webhooks import WebhookService

Location = tuple[float | None, float | None, float | None, datetime | None]

DEFAULT_TIMEZONE = "UTC"


def _sign_in_provider(name: str) -> Provider:
    for provider in SIGN_IN_PROVIDERS:
        if provider.value == name.strip().lower():
            return provider
    choices = ", ".join(provider.value for provider in SIGN_IN_PROVIDERS)
    raise invalid({"provider": [f"must be one of {choices}"]})


def _entries(viewer_id: int, members: Sequence[Member], rows: Sequence[CoffeeTransaction]) -> tuple[Entry, ...]:
    names = {member.profile.person_id: member.profile.display_name for member in members}
    return tuple(Entry(row, summary(viewer_id, row, names)) for row in rows)


class CoffeeService:
    """Groups, balances, transactions and devices of the coffee scoreboard."""

    def __init__(
        self, db: Database, clock: Clock, accounts: AccountService, oauth: OAuthClient, webhooks: WebhookService
    ) -> None:
        self._db = db
        self._clock = clock
        self._accounts = accounts
        self._oauth = oauth
        self.callbacks = CoffeeCallbacks(db, webhooks)

    def authorize_url(self, provider_name: str) -> str:
        """Where a client sends a person to sign in with a provider."""
        return self._oauth.authorize_url(_sign_in_provider(provider_name))

    async def sign_in(self, provider_name: str, code: str) -> SignedIn:
        """Exchange a provider's authorization code for a new tallybot session."""
        provider = _sign_in_provider(provider_name)
        profile = await self._oauth.profile(provider, code)
        now = self._clock()

        async def work(tx: Transaction) -> Person:
            person_id = await self._person_for(tx, provider, profile.user, refresh=True)
            if provider is Provider.GITHUB:
                for team in profile.teams:
                    ids = {person_id}
                    for member in team.members:
                        ids.add(await self._person_for(tx, provider, member, refresh=False))
                    await tx.coffee.sync_team(team.github_id, team.name, team.org, sorted(ids), now)
                await tx.coffee.leave_teams_except(person_id, [team.github_id for team in profile.teams])
            person = await tx.people.get(person_id)
            assert person is not None
            return person

        person = await self._db.write(work)
        issued = await self._accounts.open_session_for(person)
        return SignedIn(issued.token, await self._db.read(lambda tx: self._profile(tx, person.id)))

    async def teams(self, viewer_id: int) -> list[Team]:
        """What the viewer can make a group from: their GitHub teams and chat communities."""

        async def work(tx: Transaction) -> list[Team]:
            platforms = [platform.value for platform in CHAT_PLATFORMS]
            return [*await tx.coffee.teams_of(viewer_id), *await tx.coffee.communities_of(viewer_id, platforms)]

        return await self._db.read(work)

    async def create_group(
        self, viewer_id: int, home: Community, team_key: str, name: str | None, timezone: str | None
    ) -> Group:
        """Make a group from one of the viewer's teams; every known member joins with balance 0.

        A GitHub team's group belongs to ``home``; a chat community's group to that community.
        """
        problems = group_problems(name, timezone)
        if problems:
            raise invalid(problems)
        now = self._clock()

        async def work(tx: Transaction) -> Group:
            team, community_id, github_id = await self._team(tx, viewer_id, home, team_key)
            existing = await tx.coffee.group_from(community_id, github_id)
            if existing is not None:
                message = f"That team already has a group: {existing.name} (group {existing.id})"
                raise Conflict(message, {"parameter": "github_team_id"})
            group_name = (name or team.name).strip()
            group = await tx.coffee.add_group(
                community_id, github_id, group_name, timezone or DEFAULT_TIMEZONE, viewer_id, now
            )
            for person_id in await self._source_ids(tx, group):
                await tx.coffee.join(group.id, person_id, now)
            return group

        return await self._db.write(work)

    async def update_group(
        self, viewer_id: int, group_id: int, scope: Community | None, name: str | None, timezone: str | None
    ) -> Resync:
        """Re-sync a group's members with its source; those who left are deactivated, never deleted."""
        problems = group_problems(name, timezone)
        if problems:
            raise invalid(problems)
        now = self._clock()

        async def work(tx: Transaction) -> Resync:
            group, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=True)
            source = set(await self._source_ids(tx, group))
            current = {member.profile.person_id: member for member in members}
            added = [pid for pid in sorted(source) if pid not in current or not current[pid].active]
            removed = [member.profile for member in members if member.active and member.profile.person_id not in source]
            for person_id in added:
                await tx.coffee.join(group.id, person_id, now)
            for profile in removed:
                await tx.coffee.deactivate(group.id, profile.person_id)
            if name is not None or timezone is not None:
                group = await tx.coffee.rename_group(group.id, (name or group.name).strip(), timezone or group.timezone)
            added_profiles = tuple([await self._profile(tx, person_id) for person_id in added])
            return Resync(group, added_profiles, tuple(removed))

        return await self._db.write(work)

    async def groups(self, viewer_id: int, scope: Community | None) -> list[GroupStanding]:
        """The viewer's groups (in one community, or all of them) with their balances."""

        async def work(tx: Transaction) -> list[GroupStanding]:
            return await tx.coffee.groups_of(viewer_id, None if scope is None else scope.id)

        return await self._db.read(work)

    async def group_info(self, viewer_id: int, group_id: int, scope: Community | None) -> GroupInfo:
        """A group's members, balances and latest transactions, as the viewer sees them."""

        async def work(tx: Transaction) -> GroupInfo:
            group, members, viewer = await load_membership(tx, viewer_id, group_id, scope, active=False)
            return await self._info(tx, group, members, viewer)

        return await self._db.read(work)

    async def create_transaction(
        self,
        viewer_id: int,
        group_id: int,
        scope: Community | None,
        user_id: int,
        amount: int,
        note: str | None,
        location: Location,
    ) -> GroupInfo:
        """Record coffees between the viewer and another member; a negative amount means they bought."""
        problems = transaction_problems(amount, note, *location[:3])
        if problems:
            raise invalid(problems)
        now = self._clock()

        async def work(tx: Transaction) -> GroupInfo:
            group, members, viewer = await load_membership(tx, viewer_id, group_id, scope, active=True)
            if user_id == viewer_id:
                raise invalid({"user_id": ["can't be yourself"]})
            other = next((member for member in members if member.profile.person_id == user_id), None)
            if other is None or not other.active:
                raise invalid({"user_id": ["is not an active member of this group"]})
            buyer, receiver = (viewer_id, user_id) if amount > 0 else (user_id, viewer_id)
            row = await tx.coffee.add_transaction(
                group.id, buyer, receiver, abs(amount), note, location, viewer_id, now
            )
            await tx.coffee.transfer(group.id, buyer, receiver, row.amount)
            members = await tx.coffee.members(group.id)
            data = {
                "group_id": group.id,
                "transaction_id": row.id,
                "from_user_id": buyer,
                "to_user_id": receiver,
                "amount": row.amount,
                "note": note,
                "created_by": viewer_id,
                "date": now.isoformat(),
                "summary": _entries(0, members, [row])[0].summary,
            }
            await tx.outbox.append(new_event(TRANSACTION_EVENT, group.community_id, data, now))
            viewer = next(member for member in members if member.profile.person_id == viewer_id)
            return await self._info(tx, group, members, viewer)

        return await self._db.write(work)

    async def history(
        self,
        viewer_id: int,
        group_id: int,
        scope: Community | None,
        before_id: int | None,
        after_id: int | None,
        limit: int,
    ) -> HistoryPage:
        """A page of transactions, newest first: older than ``before_id``, newer than ``after_id``.

        With only ``after_id``, the page holds the transactions right after it, so that a
        client can catch up page by page.
        """
        problems = history_problems(limit)
        if problems:
            raise invalid(problems)

        async def work(tx: Transaction) -> HistoryPage:
            group, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=False)
            oldest_first = after_id is not None and before_id is None
            rows = await tx.coffee.transactions(group.id, before_id, after_id, limit + 1, oldest_first)
            page = rows[:limit]
            if oldest_first:
                page.reverse()
            return HistoryPage(group, _entries(viewer_id, members, page), len(rows) > limit)

        return await self._db.read(work)

    async def user_info(
        self, viewer_id: int, user_id: int | None, group_id: int | None, scope: Community | None
    ) -> UserInfo:
        """A person's profile (the viewer's by default), with their standing in a group if asked."""
        target = viewer_id if user_id is None else user_id

        async def work(tx: Transaction) -> UserInfo:
            if group_id is not None:
                _, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=False)
                member = next((member for member in members if member.profile.person_id == target), None)
                if member is None:
                    raise not_found("user_id", f"User {target} is not in group {group_id}")
                lowest, highest = balance_range(tuple(members))
                return UserInfo(member.profile, member, lowest, highest)
            if target != viewer_id and not await tx.coffee.shares_group(viewer_id, target):
                raise not_found("user_id", f"User {target} is not in any of your groups")
            return UserInfo(await self._profile(tx, target))

        return await self._db.read(work)

    async def register_device(self, viewer_id: int, device_uuid: str, token: str, token_type: str) -> None:
        """Remember a device's push token, replacing whatever that device registered before."""
        problems = device_problems(token_type)
        if problems:
            raise invalid(problems)
        now = self._clock()

        async def work(tx: Transaction) -> None:
            await tx.coffee.register_device(device_uuid, viewer_id, token, token_type, now)

        await self._db.write(work)

    async def _person_for(self, tx: Transaction, provider: Provider, user: OAuthUser, *, refresh: bool) -> int:
        """The person behind a provider identity, created on first sight."""
        person = await tx.people.by_identity(provider, user.external_id)
        if person is None:
            person = await tx.people.add(str(uuid.uuid4()), user.display_name, self._clock())
        elif not refresh:
            return person.id
        await tx.people.add_identity(Identity(person.id, provider, user.external_id, user.username))
        await tx.coffee.set_profile(person.id, user.display_name, user.avatar_url)
        return person.id

    async def _team(self, tx: Transaction, viewer_id: int, home: Community, key: str) -> tuple[Team, int, int | None]:
        """The viewer's team with this key, the community its group belongs to, and its GitHub id."""
        key = key.strip()
        if key.isascii() and key.isdigit():
            team = next((team for team in await tx.coffee.teams_of(viewer_id) if team.key == int(key)), None)
            if team is not None:
                return team, home.id, int(key)
        else:
            community = await tx.communities.by_slug(key)
            platforms = [platform.value for platform in CHAT_PLATFORMS]
            teams = await tx.coffee.communities_of(viewer_id, platforms)
            team = next((team for team in teams if team.key == key), None)
            if community is not None and team is not None:
                return team, community.id, None
        raise not_found("github_team_id", f"{key} is not one of your teams")

    async def _source_ids(self, tx: Transaction, group: Group) -> list[int]:
        if group.github_id is not None:
            return await tx.coffee.team_member_ids(group.github_id)
        return await tx.coffee.community_member_ids(group.community_id)

    async def _info(self, tx: Transaction, group: Group, members: list[Member], viewer: Member) -> GroupInfo:
        rows = await tx.coffee.transactions(group.id, None, None, GROUP_INFO_TRANSACTIONS, False)
        lowest, highest = balance_range(tuple(members))
        entries = _entries(viewer.profile.person_id, members, rows)
        return GroupInfo(group, viewer, lowest, highest, tuple(members), entries)

    async def _profile(self, tx: Transaction, person_id: int) -> Profile:
        profile = await tx.coffee.profile(person_id)
        if profile is None:
            raise not_found("user_id", f"There is no user {person_id}")
        return profile
