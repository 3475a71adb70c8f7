"""One error vocabulary for services; the API and the pages map each to one response."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _


class GridgovError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str = "", *, errors: dict[str, list[str]] | None = None, **extra: Any):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or {}
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationFailed(GridgovError):
    """Bad input: `errors` maps each field to its reasons, in the user's language."""

    status = 422
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str, message: str | None = None):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        first = next(iter(errors.items()), ("", [""]))
        super().__init__(message or _("输入有误：%(field)s %(reason)s") % {"field": first[0], "reason": first[1][0]},
                         errors=errors)

    @classmethod
    def from_django(cls, exc: DjangoValidationError, labels: dict[str, str] | None = None) -> ValidationFailed:
        if hasattr(exc, "error_dict"):
            errors = {f: [str(m) for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        labels = labels or {}
        first_field, reasons = next(iter(errors.items()))
        label = labels.get(first_field, first_field)
        return cls(errors, message=_("%(field)s：%(reason)s") % {"field": label, "reason": reasons[0]})


class NotFound(GridgovError):
    """Missing or out of the user's scope: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("记录不存在或无权访问"))


class PermissionDenied(GridgovError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("无权执行此操作"))


class Conflict(GridgovError):
    """Optimistic concurrency: someone else changed the record first."""

    status = 409
    code = "conflict"

    def __init__(self, message: str | None = None, **extra: Any):
        super().__init__(message or _("记录已被他人修改，请刷新后重试"), **extra)
