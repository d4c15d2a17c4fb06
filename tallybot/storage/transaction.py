"""The repositories of one transaction, as the core's ``Transaction`` port."""

from tallybot.core.models import Event
from tallybot.storage.chat import SqliteChatRepository
from tallybot.storage.coffee import SqliteCoffeeRepository
from tallybot.storage.communities import SqliteCommunityRepository
from tallybot.storage.connection import Connection
from tallybot.storage.credentials import SqliteCredentialRepository
from tallybot.storage.gamenight import SqliteGameNightRepository
from tallybot.storage.games import SqliteGameRepository
from tallybot.storage.outbox import SqliteOutboxRepository
from tallybot.storage.people import SqlitePersonRepository
from tallybot.storage.platform_tokens import SqlitePlatformTokenRepository
from tallybot.storage.poker import SqlitePokerRepository
from tallybot.storage.votes import SqliteVoteRepository
from tallybot.storage.webhooks import SqliteWebhookRepository


class SqliteTransaction:
    """Binds every repository to one connection for the length of a unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.events: list[Event] = []
        self._communities = SqliteCommunityRepository(conn)
        self._people = SqlitePersonRepository(conn)
        self._credentials = SqliteCredentialRepository(conn)
        self._outbox = SqliteOutboxRepository(conn, self.events)
        self._poker = SqlitePokerRepository(conn)
        self._webhooks = SqliteWebhookRepository(conn)
        self._game_nights = SqliteGameNightRepository(conn)
        self._votes = SqliteVoteRepository(conn)
        self._games = SqliteGameRepository(conn)
        self._coffee = SqliteCoffeeRepository(conn)
        self._platform_tokens = SqlitePlatformTokenRepository(conn)
        self._chat = SqliteChatRepository(conn)

    @property
    def communities(self) -> SqliteCommunityRepository:
        """Communities and memberships."""
        return self._communities

    @property
    def people(self) -> SqlitePersonRepository:
        """People and identities."""
        return self._people

    @property
    def credentials(self) -> SqliteCredentialRepository:
        """Sessions, codes and API tokens."""
        return self._credentials

    @property
    def outbox(self) -> SqliteOutboxRepository:
        """The event outbox; events appended here are published after the commit."""
        return self._outbox

    @property
    def poker(self) -> SqlitePokerRepository:
        """Planning-poker sessions, participants, prompts, rounds and votes."""
        return self._poker

    @property
    def webhooks(self) -> SqliteWebhookRepository:
        """Webhooks, their delivery queue and attempts."""
        return self._webhooks

    @property
    def game_nights(self) -> SqliteGameNightRepository:
        """Game-night sessions and the games played in them."""
        return self._game_nights

    @property
    def votes(self) -> SqliteVoteRepository:
        """Live votes, vote counters and imported chat logs."""
        return self._votes

    @property
    def games(self) -> SqliteGameRepository:
        """The games catalogue and each community's game and pack settings."""
        return self._games

    @property
    def coffee(self) -> SqliteCoffeeRepository:
        """The coffee scoreboard: teams, groups, members, transactions and devices."""
        return self._coffee

    @property
    def platform_tokens(self) -> SqlitePlatformTokenRepository:
        """Platform accounts' OAuth token pairs, sealed."""
        return self._platform_tokens

    @property
    def chat(self) -> SqliteChatRepository:
        """Link codes, identity moves, names seen in chat and announcement channels."""
        return self._chat
