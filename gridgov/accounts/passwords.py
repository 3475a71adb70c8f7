"""The password policy (issue 16, item 10), configured in AUTH_PASSWORD_VALIDATORS: a length, a number of
character classes, not the user's name. Every new password goes through it (`services._password_errors`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least `classes` of the four kinds: lower-case letters, capitals, digits, other characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def _count(self, password: str) -> int:
        kinds = (any(c.islower() for c in password), any(c.isupper() for c in password),
                 any(c.isdigit() for c in password), any(not c.isalnum() for c in password))
        return sum(kinds)

    def validate(self, password: str, user: Any = None) -> None:
        if self._count(password) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、其他符号中的至少 %(n)d 种") % {"n": self.classes}
