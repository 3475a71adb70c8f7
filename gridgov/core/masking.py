"""Masking of personal data for display (RULES.md §7)."""

from __future__ import annotations


def mask_id(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else value


MASKERS = {"id": mask_id, "phone": mask_phone, "name": mask_name}


def mask(kind: str, value: str | None) -> str:
    return MASKERS[kind](value)
