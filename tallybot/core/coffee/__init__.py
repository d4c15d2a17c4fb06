"""The coffee scoreboard: OAuth sign-in, groups and members, zero-sum transactions, chat coffee and
callbacks.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.coffee.access import invalid
from tallybot.core.coffee.callbacks import Callback
from tallybot.core.coffee.models import (
    DEFAULT_AMOUNT,
    MAX_AMOUNT,
    NOT_YOURSELF,
    CoffeeTransaction,
    Entry,
    Group,
    GroupInfo,
    GroupStanding,
    Member,
    OAuthProfile,
    OAuthTeam,
    OAuthUser,
    Profile,
    Team,
    transaction_problems,
)
from tallybot.core.coffee.ports import CoffeeRepository
from tallybot.core.coffee.service import CoffeeService
from tallybot.core.coffee.timezones import MAX_TIMEZONE_OFFSET, group_zone

__all__ = [
    "DEFAULT_AMOUNT",
    "MAX_AMOUNT",
    "MAX_TIMEZONE_OFFSET",
    "NOT_YOURSELF",
    "Callback",
    "CoffeeRepository",
    "CoffeeService",
    "CoffeeTransaction",
    "Entry",
    "Group",
    "GroupInfo",
    "GroupStanding",
    "Member",
    "OAuthProfile",
    "OAuthTeam",
    "OAuthUser",
    "Profile",
    "Team",
    "group_zone",
    "invalid",
    "transaction_problems",
]
