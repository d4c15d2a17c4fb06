"""Game night: the games catalogue and picker, sessions and the games played in them, live and
chat votes with the 1-second rule, chat-log imports, tonight's chat view, and the room monitor.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.gamenight.catalogue import load_catalogue
from tallybot.core.gamenight.chat_import import ChatImportResult, messages_from_items, read_chat_log
from tallybot.core.gamenight.game_models import (
    CatalogueStats,
    Drawing,
    Game,
    GameDetails,
    GameFilter,
    ImportReport,
    Length,
    Pack,
    Pick,
)
from tallybot.core.gamenight.games import GAME_NOT_FOUND, GameService
from tallybot.core.gamenight.models import (
    Ballot,
    ChatLogEntry,
    ChatMessage,
    ChatVoteOutcome,
    GameNight,
    GameStatus,
    GameVotes,
    LiveVote,
    SessionExport,
    SessionGame,
    TimelineEntry,
    VoteFilter,
    VotePage,
    VoteType,
    voter_key,
)
from tallybot.core.gamenight.ports import GameNightRepository, GameRepository, VoteRepository
from tallybot.core.gamenight.room_monitor import RoomMonitor
from tallybot.core.gamenight.sessions import (
    BAD_PLAYER_COUNT,
    BAD_ROOM_CODE,
    SESSION_GAME_NOT_FOUND,
    SESSION_NOT_FOUND,
    SessionService,
)
from tallybot.core.gamenight.shapes import (
    AddedGameJson,
    GameStatusText,
    GameVotesJson,
    LiveVoteJson,
    NewSessionJson,
    SessionGameJson,
    SessionJson,
    TallyJson,
    VoteTypeText,
)
from tallybot.core.gamenight.tonight import TonightService
from tallybot.core.gamenight.votes import VoteService

__all__ = [
    "BAD_PLAYER_COUNT",
    "BAD_ROOM_CODE",
    "GAME_NOT_FOUND",
    "SESSION_GAME_NOT_FOUND",
    "SESSION_NOT_FOUND",
    "AddedGameJson",
    "Ballot",
    "CatalogueStats",
    "ChatImportResult",
    "ChatLogEntry",
    "ChatMessage",
    "ChatVoteOutcome",
    "Drawing",
    "Game",
    "GameDetails",
    "GameFilter",
    "GameNight",
    "GameNightRepository",
    "GameRepository",
    "GameService",
    "GameStatus",
    "GameStatusText",
    "GameVotes",
    "GameVotesJson",
    "ImportReport",
    "Length",
    "LiveVote",
    "LiveVoteJson",
    "NewSessionJson",
    "Pack",
    "Pick",
    "RoomMonitor",
    "SessionExport",
    "SessionGame",
    "SessionGameJson",
    "SessionJson",
    "SessionService",
    "TallyJson",
    "TimelineEntry",
    "TonightService",
    "VoteFilter",
    "VotePage",
    "VoteRepository",
    "VoteService",
    "VoteType",
    "VoteTypeText",
    "load_catalogue",
    "messages_from_items",
    "read_chat_log",
    "voter_key",
]
