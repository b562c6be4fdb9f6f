"""Users and API tokens: only SHA-256 hashes are stored; tokens can be reissued and revoked."""

from assay.users.service import (
    UnknownUserError,
    User,
    UserError,
    UserSummary,
    authenticate,
    check_name,
    create_user,
    get_or_create_user,
    get_user,
    list_users,
    reissue_token,
    revoke_tokens,
)

__all__ = [
    "UnknownUserError",
    "User",
    "UserError",
    "UserSummary",
    "authenticate",
    "check_name",
    "create_user",
    "get_or_create_user",
    "get_user",
    "list_users",
    "reissue_token",
    "revoke_tokens",
]
