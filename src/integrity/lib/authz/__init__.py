"""Authorization: Casbin RBAC with units as domains, route declarations and per-request scope."""

from integrity.lib.authz.declarations import AUTHENTICATED, PUBLIC, Permission, permission
from integrity.lib.authz.enforcer import ROLES, Authorizer, Grant, bump_grants_version
from integrity.lib.authz.scope import AccessScope, Principal

__all__ = [
    "AUTHENTICATED",
    "PUBLIC",
    "ROLES",
    "AccessScope",
    "Authorizer",
    "Grant",
    "Permission",
    "Principal",
    "bump_grants_version",
    "permission",
]
