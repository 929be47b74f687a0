"""Table-driven allow/deny against the real policies/model.conf and policies/policy.csv."""

from __future__ import annotations

import pytest

from integrity.lib.authz import ROLES, Authorizer

# Unit tree used here: /1/ group, /1/4/ company, /1/4/7/ its branch, /1/45/ a sibling whose id starts with 4.
GRANTS = [
    (1, "admin", "/1/"),
    (2, "inspector", "/1/4/"),
    (3, "reviewer", "/1/4/"),
    (4, "auditor", "/1/"),
    (5, "rectifier", "/1/4/7/"),
    (6, "member", "/1/4/7/"),
    (7, "inspector", "/1/45/"),
]

# user, unit path asked about, object, action, expected
CASES = [
    # grants reach their unit and everything below it...
    (2, "/1/4/", "case", "create", True),
    (2, "/1/4/7/", "case", "create", True),
    (2, "/1/4/7/99/", "case", "read", True),
    # ...but not the parent, and not a sibling whose id shares a prefix
    (2, "/1/", "case", "read", False),
    (2, "/1/45/", "case", "read", False),
    (7, "/1/4/", "case", "read", False),
    (7, "/1/45/", "case", "read", True),
    # admin: users, units, grants; never case content
    (1, "/1/4/", "user", "create", True),
    (1, "/1/4/7/", "grant", "create", True),
    (1, "/1/4/", "unit", "create", True),
    (1, "/1/4/", "case", "read", False),
    (1, "/1/", "audit", "read", False),
    (1, "/1/4/", "decision", "approve", False),
    # inspector proposes, reviewer approves; neither does the other's part
    (2, "/1/4/", "case", "propose", True),
    (2, "/1/4/", "case", "approve", False),
    (3, "/1/4/", "case", "approve", True),
    (3, "/1/4/", "case", "create", False),
    (3, "/1/4/", "rectification", "approve", True),
    (3, "/1/4/", "grant", "create", False),
    # auditor reads everything in scope, changes nothing
    (4, "/1/4/7/", "case", "read", True),
    (4, "/1/", "audit", "read", True),
    (4, "/1/4/", "export", "create", True),
    (4, "/1/4/", "export", "verify", True),
    # trail PDFs and their verification are the auditor's: the others read cases, not the whole trail
    (2, "/1/4/", "export", "create", False),
    (3, "/1/4/", "export", "create", False),
    (1, "/1/4/", "export", "create", False),
    (3, "/1/4/", "export", "verify", False),
    (4, "/1/4/", "case", "update", False),
    (4, "/1/4/", "rectification", "approve", False),
    (4, "/1/4/", "user", "create", False),
    # rectifier: rectification items of their unit only, never the case file
    (5, "/1/4/7/", "rectification", "submit", True),
    (5, "/1/4/7/", "rectification", "read", True),
    (5, "/1/4/7/", "case", "read", False),
    (5, "/1/4/", "rectification", "read", False),
    # member: education events
    (6, "/1/4/7/", "education", "attend", True),
    (6, "/1/4/7/", "education", "read", False),  # invitations are their own rows, not the unit's events
    (6, "/1/4/7/", "case", "read", False),
    (6, "/1/4/7/", "person", "read", False),
    # nobody without a grant; unknown objects and actions are denied
    (99, "/1/", "unit", "read", False),
    (2, "/1/4/", "case", "delete", False),
    (2, "/1/4/", "nonsense", "read", False),
]


@pytest.fixture(scope="module")
def authorizer() -> Authorizer:
    authz = Authorizer()
    authz.replace_grants(GRANTS, version=1)
    return authz


@pytest.mark.parametrize(("user", "path", "obj", "act", "expected"), CASES)
def test_enforcement(
    authorizer: Authorizer, user: int, path: str, obj: str, act: str, expected: bool
) -> None:
    assert authorizer.allowed(user, path, obj, act) is expected


def test_roles_come_from_the_policy_file() -> None:
    assert set(ROLES) == {"admin", "inspector", "reviewer", "auditor", "rectifier", "member"}


def test_replacing_grants_takes_effect() -> None:
    authz = Authorizer()
    authz.replace_grants([(2, "inspector", "/1/4/")], version=1)
    assert authz.allowed(2, "/1/4/", "case", "read")
    authz.replace_grants([], version=2)
    assert not authz.allowed(2, "/1/4/", "case", "read")
    assert authz.version == 2
