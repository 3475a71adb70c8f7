"""Public API of document verification (no sign-in): GET /api/v1/verify/{code}, POST /api/v1/verify/file,
GET /api/v1/verify/keys (docs/documents.md)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from . import documents
from .errors import ValidationFailed

PREFIX = "/verify"
router = Router(tags=["文书核验"], auth=None)


class VerifiedDocumentOut(Schema):
    kind: str = Field(description="文书类型，如 window.acceptance_notice")
    number: str = Field(description="文号")
    title: str
    issuer: str = Field(description="出具机关")
    issued_at: dt.datetime
    subject_summary: str = Field(description="涉及对象摘要（已脱敏）")
    status: str = Field(description="issued 有效 / withdrawn 已撤销 / superseded 已被替代")
    status_reason: str
    status_changed_at: dt.datetime | None
    superseded_by: str | None = Field(description="替代文书的文号")
    content_sha256: str = Field(description="规范化内容的 SHA-256（签名覆盖的内容）")
    pdf_sha256: str = Field(description="出具的 PDF 文件的 SHA-256")
    pdf_signature: str = Field(description="Ed25519 对 文书ID:内容摘要:PDF摘要 的签名（base64url）")
    key_id: str


class VerdictOut(Schema):
    genuine: bool = Field(description="是否为真实有效的文书")
    reason: str = Field(description="genuine / malformed / unknown / bad_signature / altered / withdrawn / "
                                    "superseded / file_altered / file_unknown")
    message: str = Field(description="结论的说明")
    document: VerifiedDocumentOut | None = Field(description="签名核验通过时的文书信息")


class KeyOut(Schema):
    key_id: str
    algorithm: str
    public_key: str = Field(description="原始公钥（32 字节，base64url）")
    public_key_pem: str
    current: bool = Field(description="现行密钥（新文书用它签名）；否则为仍可核验旧文书的已停用密钥")


@router.get("/keys", response=list[KeyOut], summary="文书签名公钥（Ed25519）：现行的在前，其后是已停用的")
def keys(request: HttpRequest) -> list[dict]:
    from cryptography.hazmat.primitives import serialization

    key = documents.signing_key()
    out = [{"key_id": key.key_id, "algorithm": "Ed25519", "public_key": documents._b64(key.public_raw),
            "public_key_pem": key.public_pem, "current": True}]
    for key_id, public in documents.retired_keys().items():
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        out.append({"key_id": key_id, "algorithm": "Ed25519", "public_key": documents._b64(raw),
                    "public_key_pem": pem.decode(), "current": False})
    return out


@router.post("/file", response=VerdictOut, summary="上传 PDF 核验：只有与出具的文件完全一致才算真实")
def verify_file(request: HttpRequest, pdf: UploadedFile = File(...)) -> dict:  # noqa: B008
    if pdf.size > documents.PDF_MAX_BYTES:
        raise ValidationFailed({"pdf": [_("文件过大（最多 %(n)s MB）") % {"n": documents.PDF_MAX_BYTES // 1048576}]})
    data = pdf.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed({"pdf": [_("不是 PDF 文件")]})
    return documents.verify_pdf(data).as_dict()


@router.get("/{code}", response=VerdictOut, summary="按核验码（文书二维码）核验文书真伪")
def verify_code(request: HttpRequest, code: str) -> dict:
    return documents.verify_code(code).as_dict()
