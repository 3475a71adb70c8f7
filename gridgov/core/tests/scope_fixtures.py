"""Scope fixtures of core for the scope walk (docs/scope.md): document verification is public by design (a
resident scans the QR code of a printed copy); its code is one genuine acceptance notice's."""

from __future__ import annotations

from typing import Any

PUBLIC_ROUTES = {
    "core:verify_form", "core:verify_key", "core:verify",
    "GET /api/v1/verify/{code}", "POST /api/v1/verify/file", "GET /api/v1/verify/keys",
}


def scope_fixtures(world: Any) -> dict[str, Any]:
    from gridgov.core.documents import code_of, issue_document, paragraph

    doc = issue_document(kind="window.acceptance_notice", title="受理通知书", number_prefix="泊里受字",
                         issuer="泊里镇人民政府", jurisdiction=world.town.code, subject=world.town,
                         subject_summary="走查", body=[paragraph("走查文书")], acting_user=world.admin)
    return {"code": code_of(doc)}
