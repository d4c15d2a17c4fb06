"""The Protocols the core needs from the outside world.

storage/ implements the repositories and the database; tests may use real SQLite or
``Fake*`` classes that satisfy the same Protocols.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from tallybot.core.accounts.chat_models import LinkCode, NamedPerson
from tallybot.core.accounts.platform_token_models import StoredPlatformToken
from tallybot.core.coffee.models import CoffeeTransaction, Group, GroupStanding, Member, OAuthProfile, Profile, Team
from tallybot.core.events.models import (
    DeliveryOutcome,
    DueDelivery,
    Webhook,
    WebhookAttempt,
    WebhookChanges,
    WebhookRequest,
    WebhookResponse,
)
from tallybot.core.gamenight.game_models import Game, GameDetails
from tallybot.core.gamenight.models import (
    Ballot,
    ChatLogEntry,
    ChatMessage,
    GameNight,
    GameStatus,
    GameVotes,
    SessionGame,
    TimelineEntry,
    VoteFilter,
    VotePage,
    VoteType,
)
from tallybot.core.models import (
    ApiToken,
    AuthSession,
    Community,
    ConfirmationCode,
    Event,
    Identity,
    Person,
    Platform,
    Provider,
    Role,
)
from tallybot.core.poker.models import Participant, PokerSession, Prompt, Round, Vote

T = TypeVar("T")

Clock = Callable[[], datetime]


class CommunityRepository(Protocol):
    """Communities and the memberships (with roles) of people in them."""

    async def ensure(self, platform: Platform, external_id: str, slug: str, name: str) -> Community:
        """Return the community for (platform, external_id), creating it if needed."""

    async def by_slug(self, slug: str) -> Community | None:
        """The community with this URL name."""

    async def by_id(self, community_id: int) -> Community | None:
        """The community with this id."""

    async def set_role(self, community_id: int, person_id: int, role: Role) -> None:
        """Make the person a member of the community with this role."""

    async def roles_of(self, person_id: int) -> dict[int, Role]:
        """Every community the person belongs to, with their role there."""


class PersonRepository(Protocol):
    """People and their identities."""

    async def add(self, uuid: str, display_name: str, created_at: datetime) -> Person:
        """Insert a person."""

    async def get(self, person_id: int) -> Person | None:
        """The person with this id."""

    async def by_uuid(self, uuid: str) -> Person | None:
        """The person with this public uuid."""

    async def by_identity(self, provider: Provider, external_id: str) -> Person | None:
        """The person who owns this identity."""

    async def add_identity(self, identity: Identity) -> None:
        """Attach an identity to a person; raises Conflict if another person owns it."""

    async def identities_of(self, person_id: int) -> list[Identity]:
        """Every identity of a person."""

    async def set_password_hash(self, person_id: int, password_hash: str) -> None:
        """Store the person's scrypt password hash."""

    async def password_hash(self, person_id: int) -> str | None:
        """The person's password hash, if they chose a password."""

    async def mark_email_confirmed(self, person_id: int, at: datetime) -> Person:
        """Record that the person proved they own their e-mail address."""


class CredentialRepository(Protocol):
    """Sessions, confirmation codes and API tokens, all stored hashed."""

    async def add_session(self, person_id: int, token_hash: str, inserted: datetime, expires: datetime) -> AuthSession:
        """Insert a session."""

    async def session_by_token_hash(self, token_hash: str) -> AuthSession | None:
        """The session whose token hashes to this value."""

    async def end_session(self, session_id: int, at: datetime) -> AuthSession:
        """Expire a session now."""

    async def replace_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live confirmation code."""

    async def live_code(self, person_id: int) -> ConfirmationCode | None:
        """The person's unused, unvoided confirmation code, if any."""

    async def count_failed_attempt(self, code_id: int) -> int:
        """Add one wrong guess to a code and return the new count."""

    async def retire_code(self, code_id: int, at: datetime) -> None:
        """Mark a code used up, so it can never be accepted again."""

    async def add_api_token(
        self,
        community_id: int,
        role: Role,
        name: str,
        token_hash: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> ApiToken:
        """Insert an API token."""

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The API token whose secret hashes to this value."""


class OutboxRepository(Protocol):
    """The durable record of every event, written with the change it describes."""

    async def append(self, event: Event) -> Event:
        """Store an event; returns it with its outbox sequence number."""

    async def after(self, sequence: int, limit: int) -> list[Event]:
        """Events with a sequence number above ``sequence``, oldest first."""


class GameRepository(Protocol):
    """The games catalogue, and each community's custom games and game and pack settings."""

    async def visible(self, community_id: int) -> list[Game]:
        """The catalogue plus the community's own games, as it sees them, ordered by pack and title."""

    async def get(self, community_id: int, game_id: int) -> Game | None:
        """One game the community can see."""

    async def add_catalogue(self, games: Sequence[GameDetails], created_at: datetime) -> int:
        """Insert the catalogue games that are not there yet; returns how many were new."""

    async def add(self, community_id: int, details: GameDetails, created_at: datetime) -> Game:
        """Insert a community's custom game."""

    async def update(self, community_id: int, game_id: int, details: GameDetails) -> Game:
        """Replace a custom game's details."""

    async def delete(self, game_id: int) -> None:
        """Remove a custom game (and every community's settings for it)."""

    async def is_played(self, game_id: int) -> bool:
        """True once a session or a live vote refers to the game."""

    async def set_enabled(self, community_id: int, game_ids: Sequence[int], enabled: bool) -> None:
        """Enable or disable games for one community."""

    async def set_favor(self, community_id: int, game_id: int, favor_bias: int) -> None:
        """Set a game's favour bias (-1, 0 or 1) for one community."""

    async def set_pack_favor(self, community_id: int, pack_name: str, favor_bias: int) -> None:
        """Set a pack's favour bias (-1, 0 or 1) for one community."""

    async def session_history(self, community_id: int, session_id: int) -> list[int] | None:
        """The ids of the games played in a session, oldest first; None if the community has no such session."""

    async def session_count(self, community_id: int) -> int:
        """How many game-night sessions the community has had."""


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

    async def profile(self, person_id: int) -> Profile | None:
        """A person's public profile."""

    async def shares_group(self, person_id: int, other_id: int) -> bool:
        """True if both people are (or were) members of one group."""

    async def register_device(self, uuid: str, person_id: int, token: str, token_type: str, at: datetime) -> None:
        """Store a device's push token, replacing whatever was registered for that uuid."""


class GameNightRepository(Protocol):
    """Game-night sessions and the games played in them."""

    async def create(self, community_id: int, notes: str | None, created_at: datetime) -> GameNight:
        """Start a session (the caller has checked that none is active)."""

    async def get(self, community_id: int, session_id: int) -> GameNight | None:
        """The community's session with this id."""

    async def active(self, community_id: int) -> GameNight | None:
        """The community's active session, if any."""

    async def all(self, community_id: int) -> list[GameNight]:
        """Every session of the community, newest first."""

    async def close(self, session_id: int, notes: str | None, closed_at: datetime) -> None:
        """End a session: its playing game becomes played; ``notes`` replace the old ones if given."""

    async def delete(self, session_id: int) -> None:
        """Delete a session with its games, votes and chat logs."""

    async def add_game(
        self, session_id: int, game_id: int, manually_added: bool, room_code: str | None, played_at: datetime
    ) -> int:
        """Make a game the one playing (the playing one becomes played); returns the session_games id."""

    async def count_play(self, community_id: int, game_id: int) -> None:
        """Add one to the game's play count in the community."""

    async def games(self, community_id: int, session_id: int) -> list[SessionGame]:
        """The games of a session in the order they were played."""

    async def game(self, community_id: int, session_id: int, session_game_id: int) -> SessionGame | None:
        """One session game, by its session_games row id."""

    async def set_status(self, session_id: int, session_game_id: int, status: GameStatus) -> None:
        """Set a game's status; making one playing makes the session's other playing game played."""

    async def remove_game(self, session_game_id: int) -> None:
        """Take a game out of its session."""

    async def set_room_code(self, session_game_id: int, room_code: str) -> None:
        """Record the game's room code."""

    async def set_player_count(self, session_game_id: int, player_count: int, check_status: str) -> None:
        """Record how many played, and how the count check stands."""

    async def set_count_check(self, session_game_id: int, check_status: str) -> None:
        """Record how the player count check stands, keeping the count."""


class VoteRepository(Protocol):
    """Live votes, per-community vote counters and imported chat logs."""

    async def active_timeline(self, community_id: int) -> tuple[int, list[TimelineEntry]] | None:
        """The active session's id and its games; None without an active session."""

    async def timeline(self, session_id: int) -> list[TimelineEntry]:
        """A session's games in ``played_at`` order."""

    async def add_unless_near(
        self, session_id: int, entry: TimelineEntry, ballot: Ballot, after: datetime, before: datetime
    ) -> bool:
        """Store the vote unless the username has one timestamped strictly between ``after`` and ``before``."""

    async def times_near(
        self, session_id: int, usernames: Sequence[str], after: datetime, before: datetime
    ) -> dict[str, list[datetime]]:
        """The usernames' vote times strictly between ``after`` and ``before``."""

    async def add_many(self, session_id: int, votes: Sequence[tuple[TimelineEntry, Ballot]]) -> None:
        """Store many votes at once."""

    async def add_to_tally(self, community_id: int, game_id: int, upvotes: int, downvotes: int) -> tuple[int, int]:
        """Add to a game's counters in the community; returns the new (upvotes, downvotes)."""

    async def add_to_tallies(
        self, community_id: int, deltas: Mapping[int, tuple[int, int]]
    ) -> dict[int, tuple[int, int]]:
        """``add_to_tally`` for many games at once; returns each game's new counters."""

    async def page(self, community_id: int, vote_filter: VoteFilter, page: int, limit: int) -> VotePage:
        """One page of the community's live votes matching the filter, newest first."""

    async def by_game(self, session_id: int) -> list[GameVotes]:
        """A session's live votes summed per game, best net score first."""

    async def known_hashes(self, session_id: int, hashes: Sequence[str]) -> set[str]:
        """Which of these message hashes the session's chat log already holds."""

    async def add_chat_logs(self, session_id: int, messages: Sequence[tuple[ChatMessage, VoteType | None]]) -> None:
        """Store chat messages with the vote each one reads as."""

    async def chat_logs(self, session_id: int) -> list[ChatLogEntry]:
        """A session's imported chat, oldest first."""


class ChatRepository(Protocol):
    """What the chat features store: link codes, identity moves, names seen in chat, announcement channels."""

    async def add_link_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live link code."""

    async def live_link_code(self, code_hash: str) -> LinkCode | None:
        """The unused link code whose code hashes to this value (it may have expired)."""

    async def count_failed_link(self, code_id: int) -> int:
        """Add one refused use to a link code and return the new count."""

    async def retire_link_code(self, code_id: int, at: datetime) -> None:
        """Mark a link code used up."""

    async def move_identities(self, from_person_id: int, to_person_id: int, providers: Sequence[Provider]) -> None:
        """Give the identities on ``providers`` of one person to another."""

    async def move_memberships(self, from_person_id: int, to_person_id: int) -> None:
        """Give one person's community memberships to another; where both have one, the host role wins."""

    async def people_named(self, provider: Provider, username: str, community_id: int) -> list[NamedPerson]:
        """The people whose identity on ``provider`` has this username (any case)."""

    async def set_announcement_channel(self, community_id: int, channel_id: str, at: datetime) -> None:
        """Send the community's announcements to this channel."""

    async def announcement_channel(self, community_id: int) -> str | None:
        """The channel the community's announcements go to, if one was chosen."""


class WebhookRepository(Protocol):
    """Webhooks, their durable delivery queue and the record of attempts."""

    async def add(
        self,
        community_id: int,
        name: str,
        url: str,
        secret: str,
        events: Sequence[str],
        data_filter: Mapping[str, Any],
        enabled: bool,
        created_at: datetime,
    ) -> Webhook:
        """Insert a webhook; it receives only events appended after this moment."""

    async def get(self, community_id: int, webhook_id: int) -> Webhook | None:
        """One webhook of a community."""

    async def of_community(self, community_id: int) -> list[Webhook]:
        """Every webhook of a community, oldest first."""

    async def enabled(self) -> list[Webhook]:
        """Every enabled webhook of every community."""

    async def update(self, webhook_id: int, changes: WebhookChanges, updated_at: datetime) -> Webhook:
        """Apply the changes that are set."""

    async def skip_to_now(self, webhook_id: int) -> None:
        """Make the webhook receive only events appended from now on."""

    async def delete(self, webhook_id: int) -> None:
        """Remove a webhook with its queue and attempts."""

    async def secret(self, webhook_id: int) -> str | None:
        """The webhook's signing secret."""

    async def cursor(self) -> int:
        """The outbox sequence up to which events have been matched against webhooks."""

    async def set_cursor(self, sequence: int) -> None:
        """Record how far matching has got."""

    async def enqueue(self, webhook_id: int, sequence: int, due_at: datetime) -> None:
        """Queue an event for a webhook, unless it is queued already or the webhook is gone or disabled."""

    async def due(self) -> list[DueDelivery]:
        """The oldest pending delivery of each enabled webhook, whether or not its time has come."""

    async def settle(self, delivery_id: int, status: str, attempts: int, next_attempt_at: datetime) -> None:
        """Record a delivery's state after an attempt: pending, delivered or failed."""

    async def add_attempt(
        self,
        webhook_id: int,
        delivery_id: int | None,
        attempt: int,
        sent_at: datetime,
        outcome: DeliveryOutcome,
        request: WebhookRequest,
        response: WebhookResponse,
    ) -> WebhookAttempt:
        """Record one attempt."""

    async def attempts(self, webhook_id: int, limit: int) -> list[WebhookAttempt]:
        """The newest attempts of a webhook, newest first."""

    async def prune_attempts(self, webhook_id: int, keep: int) -> None:
        """Forget all but the newest ``keep`` attempts of a webhook."""


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


class PlatformTokenRepository(Protocol):
    """The OAuth token pairs the chat adapters hold for platform accounts, stored sealed."""

    async def put(self, token: StoredPlatformToken) -> None:
        """Store an account's token pair, replacing the one stored before."""

    async def all(self, platform: Platform) -> list[StoredPlatformToken]:
        """Every stored token pair on a platform."""


class Transaction(Protocol):
    """The repositories, bound to one database transaction."""

    @property
    def communities(self) -> CommunityRepository: ...

    @property
    def people(self) -> PersonRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def poker(self) -> PokerRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def game_nights(self) -> GameNightRepository: ...

    @property
    def votes(self) -> VoteRepository: ...

    @property
    def games(self) -> GameRepository: ...

    @property
    def coffee(self) -> CoffeeRepository: ...

    @property
    def platform_tokens(self) -> PlatformTokenRepository: ...

    @property
    def chat(self) -> ChatRepository: ...


class Database(Protocol):
    """Runs units of work. Writes are serialised (and group-committed); reads run beside them."""

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in a write transaction; it commits before this returns, or rolls back alone."""

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` against a consistent read-only snapshot."""


class EventSubscription(Protocol):
    """A live feed of committed events."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    def close(self) -> None:
        """Stop receiving events."""


class EventBus(Protocol):
    """In-process fan-out of committed events (replaceable by a cross-process one later)."""

    def publish(self, events: Sequence[Event]) -> None:
        """Hand committed events to every subscriber without blocking."""

    def subscribe(self) -> EventSubscription:
        """Start receiving every event published from now on."""


class Mailer(Protocol):
    """Sends e-mail."""

    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one plain-text message."""


class OAuthClient(Protocol):
    """Signs people in with an outside provider (GitHub, Discord, Twitch)."""

    def authorize_url(self, provider: Provider) -> str:
        """Where to send a person to grant access; the provider sends them back with a code."""

    async def profile(self, provider: Provider, code: str) -> OAuthProfile:
        """Exchange an authorization code for the person's profile (and GitHub teams)."""


class RoomWatcher(Protocol):
    """Follows a Jackbox room's players (through ecast)."""

    def watch(self, room_code: str) -> AsyncGenerator[int, None]:
        """The player count, again after each change; ends when the room closes.

        Raises NotFound when there is no such room and Unavailable when it cannot be reached.
        """


class WebhookSender(Protocol):
    """Posts a signed webhook request and reports what came back; it never raises for the target's failures."""

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        """POST ``request.body`` to ``request.url`` with its headers, within the configured timeout."""
