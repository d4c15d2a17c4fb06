"""The coffee scoreboard: OAuth sign-in, groups and members, zero-sum transactions, chat coffee and
callbacks.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.coffee.access import invalid
from tallybot.core.coffee.callbacks import Callback
from tallybot.core.coffee.models import (
    GROUP_INFO_TRANSACTIONS,
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
    group_problems,
    transaction_problems,
)
from tallybot.core.coffee.ports import CoffeeRepository
from tallybot.core.coffee.service import CoffeeService

__all__ = [
    "GROUP_INFO_TRANSACTIONS",
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
    "group_problems",
    "invalid",
    "transaction_problems",
]
