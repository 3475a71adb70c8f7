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

    def lines(self, names: dict[str, Any] | None = None) -> list[str]:
        """The refusal for a reader: one line per field, its reasons after the field's name as they know it
        (`names`: a form's labels, an API's parameter names); a field `names` lacks, and the reasons of the
        whole input, stand alone. Without field errors, the message."""
        if not self.errors:
            return [self.message]
        names = names or {}
        out = []
        for field, reasons in self.errors.items():
            text = " ".join(str(r) for r in reasons)
            name = names.get(field) if field != "__all__" else None
            out.append(_("%(field)s：%(reason)s") % {"field": name, "reason": text} if name else text)
        return out


class ValidationFailed(GridgovError):
    """Bad input: `errors` maps each field to its reasons, in the user's language."""

    status = 422
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str, message: str | None = None):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        field, reasons = next(iter(errors.items()), ("", [""]))
        if message is None:  # the API's summary names the parameter as the client sent it; a whole-input reason alone
            message = (_("输入有误：%(field)s %(reason)s") % {"field": field, "reason": reasons[0]}
                       if field and field != "__all__" else _("输入有误：%(reason)s") % {"reason": reasons[0]})
        super().__init__(message, errors=errors)

    @classmethod
    def from_django(cls, exc: DjangoValidationError, labels: dict[str, str] | None = None) -> ValidationFailed:
        if hasattr(exc, "error_dict"):
            errors = {f: [str(m) for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        named = cls(errors)
        named.message = named.lines({f: (labels or {}).get(f, f) for f in errors})[0]
        return named


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
