"""Overlays and the dashboard: read-only boards of each feature, and who may read them.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.overlays.models import CoffeeBoard, Dashboard, GameNightBoard, PokerBoard
from tallybot.core.overlays.service import OverlayService

__all__ = [
    "CoffeeBoard",
    "Dashboard",
    "GameNightBoard",
    "OverlayService",
    "PokerBoard",
]
