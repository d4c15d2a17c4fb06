"""The OAuth tokens a chat adapter holds for a platform account, as stored and as used."""

from dataclasses import dataclass, field
from datetime import datetime

from tallybot.core.models import Platform


@dataclass(frozen=True)
class StoredPlatformToken:
    """A token pair as the database holds it: each token sealed (or marked plain)."""

    platform: Platform
    user_id: str
    sealed_access: str = field(repr=False)
    sealed_refresh: str = field(repr=False)
    updated_at: datetime


@dataclass(frozen=True)
class PlatformToken:
    """A usable token pair for one platform account; ``repr`` leaves the tokens out, so logs never show them."""

    platform: Platform
    user_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    updated_at: datetime
