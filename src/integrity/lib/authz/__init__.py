"""Authorization: Casbin RBAC with units as domains, route declarations and per-request scope."""

from integrity.lib.authz.declarations import AUTHENTICATED, PUBLIC, Permission, permission
from integrity.lib.authz.enforcer import ROLES, Authorizer, Grant
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
    "permission",
]
