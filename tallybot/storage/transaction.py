"""The repositories of one transaction, as the core's ``Transaction`` port."""

import aiosqlite

from tallybot.core.models import Event
from tallybot.storage.communities import SqliteCommunityRepository
from tallybot.storage.credentials import SqliteCredentialRepository
from tallybot.storage.outbox import SqliteOutboxRepository
from tallybot.storage.people import SqlitePersonRepository


class SqliteTransaction:
    """Binds every repository to one connection for the length of a unit of work."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.events: list[Event] = []
        self._communities = SqliteCommunityRepository(conn)
        self._people = SqlitePersonRepository(conn)
        self._credentials = SqliteCredentialRepository(conn)
        self._outbox = SqliteOutboxRepository(conn, self.events)

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
