"""Announcements: committed events as typed news for each community's chat, with the channel each goes to.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.announcements.models import Announcement, GameAdded, News, NightClosed, PokerRevealed
from tallybot.core.announcements.service import AnnouncementService

__all__ = [
    "Announcement",
    "AnnouncementService",
    "GameAdded",
    "News",
    "NightClosed",
    "PokerRevealed",
]
