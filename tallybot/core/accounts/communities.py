"""Communities: the default one from bot.toml, and the ones chat platforms bring."""

import re

from tallybot.core.errors import NotFound
from tallybot.core.models import Community, Platform
from tallybot.core.ports import Database, Transaction


def slugify(name: str) -> str:
    """A URL-safe name for ``/c/{community}/...`` routes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "community"


class CommunityService:
    """Looks communities up and creates them on first sight."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ensure(self, platform: Platform, external_id: str, name: str) -> Community:
        """The community for a platform's server or channel, created on first use."""
        slug = slugify(name) if platform is Platform.LOCAL else f"{platform.value}-{slugify(external_id)}"

        async def work(tx: Transaction) -> Community:
            return await tx.communities.ensure(platform, external_id, slug, name)

        return await self._db.write(work)

    async def ensure_default(self, name: str) -> Community:
        """The local default community named in bot.toml."""
        return await self.ensure(Platform.LOCAL, slugify(name), name)

    async def by_slug(self, slug: str) -> Community:
        """The community with this URL name, or NotFound."""

        async def work(tx: Transaction) -> Community | None:
            return await tx.communities.by_slug(slug)

        community = await self._db.read(work)
        if community is None:
            raise NotFound(f"No community called {slug!r}")
        return community
