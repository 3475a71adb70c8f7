"""Photos of a case: the type is read from the first bytes (never trusted from the name or the browser),
the size is limited, and files go through Django's storage API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.files import files_rolled_back, remember_stored  # noqa: F401  (re-exported)

MAX_PHOTOS = 9


def max_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def sniff(head: bytes) -> str | None:
    """The image type of a file from its magic bytes, or None when it is not a photo we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim", b"heis"):
        return "image/heic"
    return None


def validate(f: Any) -> str:
    size = getattr(f, "size", None)
    if size is None:
        raise ValidationFailed({"photos": [_("无法读取照片")]})
    if size > max_bytes():
        raise ValidationFailed({"photos": [_("照片过大（不超过 %(n)d MB）") % {"n": max_bytes() // (1024 * 1024)}]})
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed({"photos": [_("只接受 JPEG、PNG、GIF、WebP 或 HEIC 照片")]})
    return kind


def validate_all(files: Iterable[Any]) -> list[tuple[Any, str]]:
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("最多 %(n)d 张照片") % {"n": MAX_PHOTOS}]})
    return [(f, validate(f)) for f in files]


def save_photos(*, case: Any, event: Any, files: Iterable[Any], user: Any) -> list[Any]:
    """Validate and store photos of `case` (optionally of one timeline `event`)."""
    from .models import Attachment

    checked = validate_all(files)
    saved = []
    for f, kind in checked:
        a = Attachment(case=case, event=event, content_type=kind, size=f.size,
                       original_name=str(getattr(f, "name", ""))[:120],
                       uploaded_by=user if getattr(user, "pk", None) else None)
        a.file.save("photo", f, save=False)
        remember_stored(a.file.storage, a.file.name)
        a.save()
        saved.append(a)
    return saved
