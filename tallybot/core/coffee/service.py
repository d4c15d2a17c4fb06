"""The coffee scoreboard: who bought whom coffee, in groups made from teams and communities.

People sign in with GitHub, Discord or Twitch and get a tallybot session (never the
provider's token). A group takes its members from a GitHub team (as last fetched when one
of its members signed in) or from the known members of a Discord server or Twitch
channel. Balances are zero-sum, and every transaction is published as a
``coffee.transaction`` event in the same unit of work.
"""

import uuid

from tallybot.core.accounts import AccountService
from tallybot.core.coffee.access import (
    Problems,
    check_parameters,
    invalid,
    load_membership,
    load_transaction,
    member_of,
    not_found,
    own_team,
)
from tallybot.core.coffee.callbacks import CoffeeCallbacks
from tallybot.core.coffee.chat import (
    BOARD_SIZE,
    NO_LOCATION,
    chat_seat,
    check_chat_coffee,
    check_in_community,
    leaders,
)
from tallybot.core.coffee.ledger import Location, entries, record
from tallybot.core.coffee.models import (
    CHAT_PLATFORMS,
    DEFAULT_AMOUNT,
    DEFAULT_HISTORY_PAGE,
    DEFAULT_PROVIDER,
    DEFAULT_TIMEZONE,
    GROUP_INFO_TRANSACTIONS,
    SIGN_IN_PROVIDERS,
    Board,
    ChatCoffee,
    CoffeeTransaction,
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
    transaction_problems,
)
from tallybot.core.coffee.ports import OAuthClient
from tallybot.core.coffee.timezones import requested_timezone
from tallybot.core.errors import Conflict, NotFound
from tallybot.core.events import WebhookService
from tallybot.core.models import Community, Identity, Person, Provider
from tallybot.core.ports import Clock, Database, Transaction


def _sign_in_provider(name: str | None) -> Provider:
    """The provider called ``name``; the default one when the request names none."""
    if not name:
        return DEFAULT_PROVIDER
    for provider in SIGN_IN_PROVIDERS:
        if provider.value == name.strip().lower():
            return provider
    choices = ", ".join(provider.value for provider in SIGN_IN_PROVIDERS)
    raise invalid({"provider": [f"must be one of {choices}"]})


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

    def authorize_url(self, provider_name: str | None = None) -> str:
        """Where a client sends a person to sign in with a provider (the default one if None)."""
        return self._oauth.authorize_url(_sign_in_provider(provider_name))

    async def sign_in(self, provider_name: str | None, code: str, client: str) -> SignedIn:
        """Exchange a provider's (the default one if None) authorization code for a new tallybot session.

        Every exchange counts against the client's address: each one costs a call to the provider.
        """
        provider = _sign_in_provider(provider_name)
        self._accounts.count_sign_in("oauth-sign-in", client)
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
        self,
        viewer_id: int,
        home: Community,
        team_key: str,
        name: str | None = None,
        timezone: str | None = None,
        timezone_offset: int | None = None,
        *,
        unreadable: Problems | None = None,
    ) -> Group:
        """Make a group from one of the viewer's teams; every known member joins with balance 0.

        A GitHub team's group belongs to ``home``; a chat community's group to that community.
        It is named after the team and keeps ``DEFAULT_TIMEZONE`` unless a ``timezone`` name or
        a ``timezone_offset`` (seconds east of UTC; see ``timezones``) says otherwise. As
        everywhere, ``unreadable`` (what the caller could not read) is reported with the rules' findings.
        """
        check_parameters(unreadable, group_problems(name, timezone, timezone_offset))
        zone = requested_timezone(timezone, timezone_offset)
        now = self._clock()

        async def work(tx: Transaction) -> Group:
            team, community_id, github_id = await own_team(tx, viewer_id, home, team_key)
            existing = await tx.coffee.group_from(community_id, github_id)
            if existing is not None:
                message = f"That team already has a group: {existing.name} (group {existing.id})"
                raise Conflict(message, {"parameter": "github_team_id"})
            group_name = (name or team.name).strip()
            group = await tx.coffee.add_group(
                community_id, github_id, group_name, zone or DEFAULT_TIMEZONE, viewer_id, now
            )
            for person_id in await self._source_ids(tx, group):
                await tx.coffee.join(group.id, person_id, now)
            return group

        return await self._db.write(work)

    async def update_group(
        self,
        viewer_id: int,
        group_id: int,
        scope: Community | None,
        name: str | None = None,
        timezone: str | None = None,
        timezone_offset: int | None = None,
        *,
        unreadable: Problems | None = None,
    ) -> Resync:
        """Re-sync a group's members with its source; those who left are deactivated, never deleted.

        A new name, ``timezone`` or ``timezone_offset`` is taken as ``create_group`` takes it.
        """
        check_parameters(unreadable, group_problems(name, timezone, timezone_offset))
        zone = requested_timezone(timezone, timezone_offset)
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
            if name is not None or zone is not None:
                group = await tx.coffee.rename_group(group.id, (name or group.name).strip(), zone or group.timezone)
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

    async def transaction_info(self, viewer_id: int, transaction_id: int, scope: Community | None) -> GroupInfo:
        """One transaction, as the only entry of its group's info for the viewer; for that group's members only."""

        async def work(tx: Transaction) -> GroupInfo:
            row, group, members, viewer = await load_transaction(tx, viewer_id, transaction_id, scope)
            return await self._info(tx, group, members, viewer, [row])

        return await self._db.read(work)

    async def create_transaction(
        self,
        viewer_id: int,
        group_id: int,
        scope: Community | None,
        user_id: int,
        amount: int,
        note: str | None = None,
        location: Location = NO_LOCATION,
        *,
        unreadable: Problems | None = None,
    ) -> GroupInfo:
        """Record coffees between the viewer and another member; a negative amount means they bought.

        ``unreadable`` holds the parameters the caller could not read; they are reported in
        the same Invalid as every rule this request breaks.
        """
        check_parameters(unreadable, transaction_problems(amount, note, *location[:3]))
        now = self._clock()

        async def work(tx: Transaction) -> GroupInfo:
            group, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=True)
            recorded = await record(tx, group, members, viewer_id, user_id, amount, note, location, now)
            return await self._info(tx, group, recorded.members, recorded.viewer)

        return await self._db.write(work)

    async def chat_coffee(
        self,
        community: Community,
        buyer_id: int,
        receiver_id: int,
        amount: int | None = None,
        note: str | None = None,
    ) -> ChatCoffee:
        """Record from chat that the buyer bought the receiver ``amount`` coffees (``DEFAULT_AMOUNT`` if None).

        Both join the community's chat group on first use; the transaction then takes the API's own path.
        """
        count = DEFAULT_AMOUNT if amount is None else amount
        check_chat_coffee(count, note)
        now = self._clock()

        async def work(tx: Transaction) -> ChatCoffee:
            await check_in_community(tx, community, receiver_id)
            group, members = await chat_seat(tx, community, (buyer_id, receiver_id), now)
            recorded = await record(tx, group, members, buyer_id, receiver_id, count, note, NO_LOCATION, now)
            return ChatCoffee(recorded.entry.summary, recorded.viewer.balance)

        return await self._db.write(work)

    async def chat_balance(self, community: Community, viewer_id: int, person_id: int | None = None) -> Member:
        """A person's standing (the viewer's by default) in the community's chat group, which the viewer joins."""
        now = self._clock()
        target = viewer_id if person_id is None else person_id

        async def work(tx: Transaction) -> Member:
            _, members = await chat_seat(tx, community, (viewer_id,), now)
            profile = await self._profile(tx, target)
            missing = NotFound(f"{profile.display_name} has no coffee balance here yet", {"parameter": "user_id"})
            return member_of(members, target, missing)

        return await self._db.write(work)

    async def chat_board(self, community: Community, viewer_id: int) -> Board:
        """The community's chat group as a leaderboard, which the viewer joins."""
        now = self._clock()

        async def work(tx: Transaction) -> Board:
            group, members = await chat_seat(tx, community, (viewer_id,), now)
            ranked = leaders(members)
            return Board(group, tuple(ranked[:BOARD_SIZE]), max(0, len(ranked) - BOARD_SIZE))

        return await self._db.write(work)

    async def history(
        self,
        viewer_id: int,
        group_id: int,
        scope: Community | None,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> HistoryPage:
        """A page of ``limit`` (``DEFAULT_HISTORY_PAGE`` if None) transactions, newest first.

        The page holds transactions older than ``before_id`` and newer than ``after_id``.
        With only ``after_id``, it holds the transactions right after it, so that a client
        can catch up page by page.
        """
        size = DEFAULT_HISTORY_PAGE if limit is None else limit
        check_parameters(history_problems(size))

        async def work(tx: Transaction) -> HistoryPage:
            group, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=False)
            oldest_first = after_id is not None and before_id is None
            rows = await tx.coffee.transactions(group.id, before_id, after_id, size + 1, oldest_first)
            page = rows[:size]
            if oldest_first:
                page.reverse()
            return HistoryPage(group, entries(viewer_id, members, page), len(rows) > size)

        return await self._db.read(work)

    async def user_info(
        self, viewer_id: int, user_id: int | None = None, group_id: int | None = None, scope: Community | None = None
    ) -> UserInfo:
        """A person's profile (the viewer's by default), with their standing in a group if asked."""
        target = viewer_id if user_id is None else user_id

        async def work(tx: Transaction) -> UserInfo:
            if group_id is not None:
                _, members, _ = await load_membership(tx, viewer_id, group_id, scope, active=False)
                missing = not_found("user_id", f"User {target} is not in group {group_id}")
                member = member_of(members, target, missing)
                lowest, highest = balance_range(tuple(members))
                return UserInfo(member.profile, member, lowest, highest)
            if target != viewer_id and not await tx.coffee.shares_group(viewer_id, target):
                raise not_found("user_id", f"User {target} is not in any of your groups")
            return UserInfo(await self._profile(tx, target))

        return await self._db.read(work)

    async def register_device(self, viewer_id: int, device_uuid: str, token: str, token_type: str) -> None:
        """Remember a device's push token, replacing whatever that device registered before."""
        check_parameters(device_problems(token_type))
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

    async def _source_ids(self, tx: Transaction, group: Group) -> list[int]:
        if group.github_id is not None:
            return await tx.coffee.team_member_ids(group.github_id)
        return await tx.coffee.community_member_ids(group.community_id)

    async def _info(
        self,
        tx: Transaction,
        group: Group,
        members: list[Member],
        viewer: Member,
        rows: list[CoffeeTransaction] | None = None,
    ) -> GroupInfo:
        """The group's info for the viewer, with ``rows`` or else its latest transactions."""
        if rows is None:
            rows = await tx.coffee.transactions(group.id, None, None, GROUP_INFO_TRANSACTIONS, False)
        lowest, highest = balance_range(tuple(members))
        latest = entries(viewer.profile.person_id, members, rows)
        return GroupInfo(group, viewer, lowest, highest, tuple(members), latest)

    async def _profile(self, tx: Transaction, person_id: int) -> Profile:
        profile = await tx.coffee.profile(person_id)
        if profile is None:
            raise not_found("user_id", f"There is no user {person_id}")
        return profile
