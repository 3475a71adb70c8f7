"""A password hasher for the lockout race tests: it notes every password it checks, and takes a while to check
one, as Argon2 does in production (so concurrent guesses really overlap)."""

from __future__ import annotations

import threading
import time

from django.contrib.auth.hashers import MD5PasswordHasher

CHECKS: list[bool] = []  # one entry per password checked: whether it was right
_lock = threading.Lock()


class CountingHasher(MD5PasswordHasher):
    # The same algorithm name: `identify_hasher` finds this class, the only one the tests list.
    def verify(self, password: str, encoded: str) -> bool:
        time.sleep(0.05)
        right = super().verify(password, encoded)
        with _lock:
            CHECKS.append(right)
        return right

