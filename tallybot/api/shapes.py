"""JSON shapes shared by several spec modules: the game-night error and plain messages."""

from typing import TypedDict

from tallybot.api.openapi.schema import open_shape


@open_shape
class PlainError(TypedDict):
    """An error in the game-night format, with real status codes. Some errors add details beside
    ``error``, such as ``activeSessionId``, ``timeSinceLastVote`` or ``valid_cards``."""

    error: str


class Message(TypedDict):
    """A plain confirmation."""

    message: str
