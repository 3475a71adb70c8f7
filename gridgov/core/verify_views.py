"""The public pages of document verification (no sign-in): /verify/<code> from a QR code, /verify/ to upload a
PDF or paste a code, /verify/key.pem the public key (gridgov.core.documents, docs/documents.md)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import documents
from .errors import ValidationFailed

_CODE_IN_TEXT = re.compile(r"([A-Za-z0-9_-]{95})/?\s*$")


def _page(request: HttpRequest, verdict: documents.Verdict | None, *, status: int = 200,
          errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return render(request, "core/verify.html", {"verdict": verdict, "errors": errors or {},
                                                "max_mb": documents.PDF_MAX_BYTES // (1024 * 1024)}, status=status)


@require_http_methods(["GET", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Upload a PDF or paste a code (or the whole link under the QR code)."""
    if request.method != "POST":
        return _page(request, None)
    upload = request.FILES.get("pdf")
    text = request.POST.get("code", "").strip()
    try:
        if upload is not None:
            if upload.size > documents.PDF_MAX_BYTES:
                raise ValidationFailed({"pdf": [_("文件过大（最多 %(n)s MB）") % {"n": documents.PDF_MAX_BYTES // 1048576}]})
            data = upload.read()
            if not data.startswith(b"%PDF-"):
                raise ValidationFailed({"pdf": [_("不是 PDF 文件")]})
            return _page(request, documents.verify_pdf(data))
        if not text:
            raise ValidationFailed({"code": [_("请上传文书 PDF，或填写核验码（二维码下方网址的最后一段）")]})
        found = _CODE_IN_TEXT.search(text)
        if found is None:
            raise ValidationFailed({"code": [_("核验码应为 95 位字母、数字、- 或 _，或是包含它的完整网址")]})
        return redirect("core:verify", code=found.group(1))
    except ValidationFailed as exc:
        return _page(request, None, status=422, errors=exc.errors)


def verify(request: HttpRequest, code: str) -> HttpResponse:
    verdict = documents.verify_code(code)
    return _page(request, verdict)


def public_key(request: HttpRequest) -> HttpResponse:
    key = documents.signing_key()
    response = HttpResponse(key.public_pem, content_type="application/x-pem-file")
    response["X-Key-Id"] = key.key_id
    return response
