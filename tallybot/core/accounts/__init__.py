"""Accounts: people, e-mail sign-up and confirmation codes, sessions and API tokens, communities and
roles, admin keys, chat identities and link codes, and the platform tokens the chat adapters hold.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.accounts.admin import AdminAuthService
from tallybot.core.accounts.communities import CommunityService
from tallybot.core.accounts.linking import ChatService, LinkPolicy
from tallybot.core.accounts.models import (
    ApiToken,
    AuthSession,
    ConfirmationCode,
    IssuedSession,
    LinkCode,
    NamedPerson,
    StoredPlatformToken,
)
from tallybot.core.accounts.platform_tokens import PlatformTokenService, TokenSealer
from tallybot.core.accounts.ports import ChatRepository, CredentialRepository, Mailer, PlatformTokenRepository
from tallybot.core.accounts.service import AccountLimits, AccountPolicy, AccountService

__all__ = [
    "AccountLimits",
    "AccountPolicy",
    "AccountService",
    "AdminAuthService",
    "ApiToken",
    "AuthSession",
    "ChatRepository",
    "ChatService",
    "CommunityService",
    "ConfirmationCode",
    "CredentialRepository",
    "IssuedSession",
    "LinkCode",
    "LinkPolicy",
    "Mailer",
    "NamedPerson",
    "PlatformTokenRepository",
    "PlatformTokenService",
    "StoredPlatformToken",
    "TokenSealer",
]
