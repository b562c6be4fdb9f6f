"""Users and API tokens."""

from assay.users.service import User, UserError, authenticate, create_user, get_or_create_user

__all__ = ["User", "UserError", "authenticate", "create_user", "get_or_create_user"]
