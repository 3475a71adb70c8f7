"""Home page blocks of accounts: a welcome for who holds no role, else the roles the user holds."""

from __future__ import annotations

from .homepage import ROLES, WELCOME, Block, Home


def blocks(home: Home) -> list[Block]:
    if not home.assignments:
        return [Block(WELCOME, "accounts/home/welcome.html")]
    return [Block(ROLES, "accounts/home/roles.html", {"assignments": home.assignments})]
