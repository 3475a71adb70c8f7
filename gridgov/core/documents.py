"""Verifiable documents (受理通知书, 补正告知书, 处罚决定书 …): one call issues a numbered, signed PDF whose QR
code links to a public page saying whether a copy in someone's hand is genuine (docs/documents.md).

    from gridgov.core.documents import fields, issue_document, paragraph, table

    doc = issue_document(kind="window.acceptance_notice", title="受理通知书", number_prefix="泊里受字",
                         issuer="泊里镇人民政府", jurisdiction=town.code, subject=application,
                         subject_summary="申请人：张*", body=[paragraph("…"), fields([("事项", "…")])],
                         acting_user=clerk)
    doc.number, doc.pdf, verify_url(doc)

The signature is Ed25519 over the document's id and the SHA-256 of its canonical content (every field a
reader sees, and the body blocks); a second one covers the PDF's SHA-256 too. The QR code carries the id and
the first signature, so a code cannot be guessed or forged without the private key. Apps decide who may
issue and withdraw; this module only keeps the numbers, the signatures and the file.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .errors import ValidationFailed
from .files import files_rolled_back, remember_stored
from .models import Document, DocumentCounter
from .services import service

CODE_VERSION = 1
SIGNED_PREFIX = b"gridgov-document:v1:"
PDF_SIGNED_PREFIX = b"gridgov-document-pdf:v1:"
PDF_MAX_BYTES = 10 * 1024 * 1024  # the largest PDF /verify/ reads
MAX_BLOCKS = 200
MAX_TEXT = 5000
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# Where the PDF of a document names its code, for /verify/ to find an uploaded file's document.
_CODE_MARK = "gridgov-verify:"
_CODE_IN_PDF = re.compile(rb"gridgov-verify:([A-Za-z0-9_-]{20,200})")


# ---------------------------------------------------------------- body blocks


def paragraph(text: str) -> dict[str, Any]:
    """A paragraph of running text (wrapped, first line indented as in an official letter)."""
    return {"type": "paragraph", "text": text}


def heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "text": text}


def fields(rows: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Label–value rows: [("申请事项", "…"), ("受理日期", "2026-12-07")]."""
    return {"type": "fields", "rows": [[str(label), str(value)] for label, value in rows]}


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """A table with a header row: table(["材料", "份数"], [["身份证复印件", 1]])."""
    return {"type": "table", "columns": [str(c) for c in columns], "rows": [[str(c) for c in r] for r in rows]}


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and len(v) <= MAX_TEXT for v in value)


def clean_body(body: Any) -> list[dict[str, Any]]:
    """The body as stored and signed: a list of blocks with only their own keys and only text; else a
    ValidationFailed naming the block."""
    if not isinstance(body, list) or not body:
        raise ValidationFailed({"body": [_("正文应为非空的段落、字段或表格列表")]})
    if len(body) > MAX_BLOCKS:
        raise ValidationFailed({"body": [_("正文最多 %(n)s 段") % {"n": MAX_BLOCKS}]})
    out: list[dict[str, Any]] = []
    for i, block in enumerate(body):
        kind = block.get("type") if isinstance(block, dict) else None
        ok = False
        if kind in ("paragraph", "heading"):
            text = block.get("text")
            ok = isinstance(text, str) and 0 < len(text) <= MAX_TEXT
            cleaned: dict[str, Any] = {"type": kind, "text": text}
        elif kind == "fields":
            rows = block.get("rows")
            ok = isinstance(rows, list) and bool(rows) and all(_texts(r) and len(r) == 2 for r in rows)
            cleaned = {"type": kind, "rows": rows}
        elif kind == "table":
            columns, rows = block.get("columns"), block.get("rows")
            ok = (_texts(columns) and bool(columns) and isinstance(rows, list)
                  and all(_texts(r) and len(r) == len(columns) for r in rows))
            cleaned = {"type": kind, "columns": columns, "rows": rows}
        if not ok:
            raise ValidationFailed({"body": [_("第 %(n)s 段格式不对（paragraph/heading 要 text；fields 要两列的 rows；"
                                               "table 要 columns 和同样列数的 rows，均为文字）") % {"n": i + 1}]})
        out.append(cleaned)
    return out


# ---------------------------------------------------------------- keys


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    key_id: str  # the first 16 hex digits of the SHA-256 of the raw public key

    @property
    def public_raw(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_pem(self) -> str:
        return self.public.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()


_key_lock = threading.Lock()


def _load_private(text: bytes) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(text, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("GRIDGOV_DOCUMENT_KEY: not an Ed25519 private key")
        return key
    raw = base64.b64decode(text)
    if len(raw) != 32:
        raise ImproperlyConfigured("GRIDGOV_DOCUMENT_KEY: give a PEM Ed25519 key or 32 raw bytes in base64")
    return Ed25519PrivateKey.from_private_bytes(raw)


def key_file() -> Path:
    return Path(getattr(settings, "GRIDGOV_DOCUMENT_KEY_FILE", "") or Path(settings.HOME) / "keys" / "documents.pem")


def _key_from_file(path: Path) -> Ed25519PrivateKey:
    """The key in `path`, generated there on first use (0600). Two processes starting at once: one creates the
    file (O_EXCL), the other reads it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        try:
            os.link(tmp, path)  # atomic, and fails if another process got there first
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return _load_private(path.read_bytes())


@functools.cache
def _cached_key(env: str, path: str) -> SigningKey:
    private = _load_private(env.encode()) if env else _key_from_file(Path(path))
    public = private.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return SigningKey(private, public, hashlib.sha256(raw).hexdigest()[:16])


def signing_key() -> SigningKey:
    """The installation's document key: GRIDGOV_DOCUMENT_KEY (PEM or base64 of the 32 raw bytes) when set,
    else the file GRIDGOV_DOCUMENT_KEY_FILE (default $GRIDGOV_HOME/keys/documents.pem), made on first use."""
    with _key_lock:
        return _cached_key(getattr(settings, "GRIDGOV_DOCUMENT_KEY", "") or "", str(key_file()))


def retired_keys_dir() -> Path:
    return Path(getattr(settings, "GRIDGOV_DOCUMENT_RETIRED_KEYS", "") or key_file().parent / "retired")


@functools.cache
def _cached_retired(path: str, stamp: float) -> dict[str, Ed25519PublicKey]:
    out: dict[str, Ed25519PublicKey] = {}
    folder = Path(path)
    for pem in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        key = serialization.load_pem_public_key(pem.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            out[hashlib.sha256(raw).hexdigest()[:16]] = key
    return out


def retired_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys of earlier document keys (PEM files in GRIDGOV_DOCUMENT_RETIRED_KEYS, default
    $GRIDGOV_HOME/keys/retired/), by key id: documents they signed still verify after a key change."""
    folder = retired_keys_dir()
    stamp = folder.stat().st_mtime if folder.is_dir() else 0.0  # a key added to the folder is read again
    return _cached_retired(str(folder), stamp)


def public_key_for(key_id: str) -> Ed25519PublicKey | None:
    current = signing_key()
    return current.public if key_id == current.key_id else retired_keys().get(key_id)


# ---------------------------------------------------------------- content, signatures, codes


def canonical_content(doc: Document) -> bytes:
    """What the signature covers besides the id: every field a reader of the document sees."""
    issued = doc.issued_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    content = {"v": 1, "id": doc.pk, "kind": doc.kind, "number": doc.number, "title": doc.title,
               "issuer": doc.issuer, "jurisdiction": doc.jurisdiction, "issued_at": issued,
               "subject": f"{doc.subject_type}:{doc.subject_id}", "subject_summary": doc.subject_summary,
               "body": doc.body}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_digest(doc: Document) -> str:
    return hashlib.sha256(canonical_content(doc)).hexdigest()


def _signed_message(doc_id: int, content_sha256: str) -> bytes:
    return SIGNED_PREFIX + str(doc_id).encode() + b":" + content_sha256.encode()


def _pdf_message(doc_id: int, content_sha256: str, pdf_sha256: str) -> bytes:
    return PDF_SIGNED_PREFIX + str(doc_id).encode() + b":" + content_sha256.encode() + b":" + pdf_sha256.encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_code(doc_id: int, signature: bytes) -> str:
    """The code in the QR: version byte, the id in 6 bytes, the 64-byte signature; base64url (95 characters)."""
    return _b64(bytes([CODE_VERSION]) + doc_id.to_bytes(6, "big") + signature)


def parse_code(code: str) -> tuple[int, bytes] | None:
    """(document id, signature) of a well-formed code, else None."""
    if not isinstance(code, str) or len(code) != 95 or not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        return None
    try:
        raw = _unb64(code)
    except ValueError:
        return None
    if len(raw) != 71 or raw[0] != CODE_VERSION:
        return None
    return int.from_bytes(raw[1:7], "big"), raw[7:]


def code_of(doc: Document) -> str:
    return make_code(doc.pk, _unb64(doc.signature))


def verify_path(doc: Document) -> str:
    return f"/verify/{code_of(doc)}"


def verify_url(doc: Document) -> str:
    """The link in the QR code: on GRIDGOV_SITE_URL (set it in production: a phone scans the printed copy)."""
    site = (getattr(settings, "GRIDGOV_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return site + verify_path(doc)


# ---------------------------------------------------------------- the PDF


_FONT_CANDIDATES = (  # (file, index in a collection): TrueType outlines, which reportlab embeds as a subset
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN (明体/宋体 style): fonts-arphic-uming
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
FONT_NAME = "GridgovCJK"
_font_lock = threading.Lock()


def font_file() -> tuple[str, int]:
    configured = getattr(settings, "GRIDGOV_DOCUMENT_FONT", "")
    if configured:
        return configured, int(getattr(settings, "GRIDGOV_DOCUMENT_FONT_INDEX", 0))
    for path, index in _FONT_CANDIDATES:
        if os.path.exists(path):
            return path, index
    raise ImproperlyConfigured("No CJK font for documents: run `make fonts` (installs Debian's fonts-arphic-uming) "
                               "or set GRIDGOV_DOCUMENT_FONT to a TrueType font file")


def _register_font() -> str:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    rl_config.useA85 = 0  # binary streams: ASCII85 costs time and a quarter more bytes, and no reader needs it
    with _font_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path, index = font_file()
            # Parsed once per process; each PDF embeds only the glyphs it uses.
            font = TTFont(FONT_NAME, path, subfontIndex=index)
            # reportlab slices the glyph table (17 MB in UMing) out of the file's bytes for every subset: a
            # tenth of a PDF's time. Slice it once and keep it (immutable bytes, shared by the threads).
            face, glyf = font.face, font.face.get_table("glyf")
            table_of = face.get_table
            face.get_table = lambda tag: glyf if tag == "glyf" else table_of(tag)
            pdfmetrics.registerFont(font)
    return FONT_NAME


def _qr_matrix(text: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask: choosing the best of eight costs more than the rest of the PDF, and any mask scans.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def _dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: one rectangle per run."""
    runs = []
    for r, row in enumerate(matrix):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return runs


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT_NAME, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24)
    return {
        "issuer": ParagraphStyle("issuer", parent=base, fontSize=22, leading=30, alignment=TA_CENTER,
                                 firstLineIndent=0, textColor="#c00000"),
        "number": ParagraphStyle("number", parent=base, fontSize=12, alignment=TA_CENTER, firstLineIndent=0),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=28, alignment=TA_CENTER,
                                firstLineIndent=0, spaceBefore=8, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, firstLineIndent=0, spaceBefore=6),
        "paragraph": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15, firstLineIndent=0),
        "sign": ParagraphStyle("sign", parent=base, firstLineIndent=0, alignment=2),
    }


def _p(text: str, style: Any) -> Any:
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_pdf(doc: Document) -> bytes:
    """The document as an A4 PDF: 红头 issuer and number, title, the body blocks, issuer and date, and on every
    page's foot the QR code of its verification link with the code in words."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    st = _styles()
    url = verify_url(doc)
    code = code_of(doc)
    matrix = _qr_matrix(url)
    runs = _dark_runs(matrix)
    width = A4[0] - 50 * mm
    story: list[Any] = [_p(doc.issuer, st["issuer"]), _p(doc.number, st["number"]),
                        HRFlowable(width="100%", thickness=1.2, color=colors.HexColor("#c00000"), spaceAfter=6),
                        _p(doc.title, st["title"])]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    for block in doc.body:
        kind = block["type"]
        if kind in ("paragraph", "heading"):
            story.append(_p(block["text"], st[kind]))
        elif kind == "fields":
            rows = [[_p(label, st["cell"]), _p(value, st["cell"])] for label, value in block["rows"]]
            t = Table(rows, colWidths=[width * 0.28, width * 0.72])
            t.setStyle(grid)
            t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))]))
            story += [Spacer(1, 4), t, Spacer(1, 4)]
        else:
            n = len(block["columns"])
            rows = [[_p(c, st["cell"]) for c in block["columns"]]]
            rows += [[_p(c, st["cell"]) for c in r] for r in block["rows"]]
            t = Table(rows, colWidths=[width / n] * n, repeatRows=1)
            t.setStyle(grid)
            t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2"))]))
            story += [Spacer(1, 4), t, Spacer(1, 4)]
    local = timezone.localtime(doc.issued_at)
    story += [Spacer(1, 18), _p(doc.issuer, st["sign"]),
              _p(f"{local.year}年{local.month}月{local.day}日", st["sign"])]

    def foot(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        size = 26 * mm
        cell = size / len(matrix)
        x0, y0 = 25 * mm, 12 * mm
        canvas.saveState()
        canvas.translate(x0, y0 + size)
        canvas.scale(cell, -cell)  # one unit per module, rows downwards: whole numbers are quick to write
        path = canvas.beginPath()
        # The rectangles' operators written directly (reportlab's rect() formats each number in Python: a
        # third of the PDF's time for a QR code's 400-odd runs).
        path._code.extend([f"{c} {r} {length} 1 re" for r, c, length in runs])
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()
        canvas.setFont(FONT_NAME, 9)
        tx = x0 + size + 5 * mm
        canvas.drawString(tx, y0 + size - 4 * mm, _("扫码或访问以下网址核验本文书真伪："))
        canvas.setFont(FONT_NAME, 7)
        canvas.drawString(tx, y0 + size - 9 * mm, url[:len(url) - 48])
        canvas.drawString(tx, y0 + size - 13 * mm, url[len(url) - 48:])
        canvas.setFont(FONT_NAME, 9)
        canvas.drawString(tx, y0 + 4 * mm, f"{doc.number}    {_('第 %(n)s 页') % {'n': canvas.getPageNumber()}}")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=45 * mm, title=f"{doc.number} {doc.title}", author=doc.issuer,
                            subject=doc.kind, keywords=_CODE_MARK + code, creator="gridgov", invariant=1)
    pdf.build(story, onFirstPage=foot, onLaterPages=foot)
    return buf.getvalue()


# ---------------------------------------------------------------- writes


def _next_seq(kind: str, jurisdiction: str, year: int) -> int:
    """The next number of (kind, jurisdiction, year), under a row lock held to the end of the transaction."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        kind=kind, jurisdiction=jurisdiction, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _checked(kind: str, title: str, number_prefix: str, issuer: str, jurisdiction: str, subject: Any,
             subject_summary: str) -> None:
    errors: dict[str, list[str]] = {}
    if not _KIND.match(kind or "") or len(kind) > 60:
        errors["kind"] = [_("文书类型应为 app.name 形式的小写英文，如 window.acceptance_notice")]
    for name, value, most in (("title", title, 200), ("issuer", issuer, 100), ("number_prefix", number_prefix, 40)):
        if not isinstance(value, str) or not value.strip():
            errors[name] = [_("必填")]
        elif len(value) > most:
            errors[name] = [_("最多 %(n)s 个字") % {"n": most}]
    if not isinstance(jurisdiction, str) or len(jurisdiction) > 18:
        errors["jurisdiction"] = [_("辖区代码最多 18 位")]
    if not isinstance(subject, models.Model) or subject.pk is None:
        errors["subject"] = [_("应为已保存的记录")]
    if not isinstance(subject_summary, str) or len(subject_summary) > 200:
        errors["subject_summary"] = [_("最多 200 个字")]
    if errors:
        raise ValidationFailed(errors)


@files_rolled_back
@service
def issue_document(*, kind: str, title: str, number_prefix: str, issuer: str, subject: models.Model,
                   body: list[dict[str, Any]], acting_user: Any, jurisdiction: str = "",
                   subject_summary: str = "", supersedes: Document | None = None,
                   supersede_reason: str = "") -> Document:
    """Issue a document: next number 〔year〕第NNNN号 of (kind, jurisdiction, year) after `number_prefix`,
    signed, rendered to a stored PDF, audited. `subject_summary` is shown to anyone holding the code: give it
    masked (core.masking). With `supersedes`, that document is marked replaced by this one (its /verify/ page
    says so and names this number). Call it inside the app's own service: it joins that transaction."""
    _checked(kind, title, number_prefix, issuer, jurisdiction, subject, subject_summary)
    blocks = clean_body(body)
    if supersedes is not None and not supersede_reason.strip():
        raise ValidationFailed({"supersede_reason": [_("替代原有文书须说明原因")]})
    now = timezone.now().replace(microsecond=0)
    year = timezone.localtime(now).year
    seq = _next_seq(kind, jurisdiction, year)
    key = signing_key()
    doc = Document(kind=kind, jurisdiction=jurisdiction, year=year, seq=seq, title=title.strip(),
                   number=f"{number_prefix.strip()}〔{year}〕第{seq:04d}号", issuer=issuer.strip(), issued_at=now,
                   issued_by=acting_user if getattr(acting_user, "pk", None) else None,
                   subject_type=subject._meta.label_lower, subject_id=subject.pk,
                   subject_summary=subject_summary.strip(), body=blocks, key_id=key.key_id)
    doc.save(force_insert=True)  # the id is signed: it must exist first
    doc.content_sha256 = content_digest(doc)
    doc.signature = _b64(key.private.sign(_signed_message(doc.pk, doc.content_sha256)))
    pdf = render_pdf(doc)
    doc.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    doc.pdf_signature = _b64(key.private.sign(_pdf_message(doc.pk, doc.content_sha256, doc.pdf_sha256)))
    doc.pdf.save(f"{doc.pk}-{doc.pdf_sha256[:12]}.pdf", ContentFile(pdf), save=False)
    remember_stored(doc.pdf.storage, doc.pdf.name)
    doc.save(update_fields=["content_sha256", "signature", "pdf", "pdf_sha256", "pdf_signature"])
    audit.record(doc, "create")
    if supersedes is not None:
        _change_status(supersedes, Document.Status.SUPERSEDED, supersede_reason, by=doc)
    return doc


def _change_status(doc: Document, status: str, reason: str, *, by: Document | None = None) -> Document:
    current = Document.objects.select_for_update().get(pk=doc.pk)
    if current.status != Document.Status.ISSUED:
        raise ValidationFailed({"__all__": [_("文书 %(n)s 已撤销或已被替代") % {"n": current.number}]})
    before = audit.snapshot(current)
    current.status, current.status_reason = status, reason.strip()[:200]
    current.status_changed_at, current.superseded_by = timezone.now(), by
    current.version += 1
    current.save(update_fields=["status", "status_reason", "status_changed_at", "superseded_by", "version",
                                "updated_at"])
    audit.record(current, "update", before)
    doc.__dict__.update({k: getattr(current, k) for k in ("status", "status_reason", "status_changed_at",
                                                         "superseded_by_id", "version")})
    return current


@service
def document_withdraw(*, document: Document, reason: str, acting_user: Any) -> Document:
    """Withdraw (撤销) an issued document: /verify/ says it is no longer valid, with the reason and the date."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": [_("撤销须说明原因")]})
    if len(reason) > 200:
        raise ValidationFailed({"reason": [_("最多 200 个字")]})
    return _change_status(document, Document.Status.WITHDRAWN, reason)


# ---------------------------------------------------------------- reads


def documents_of(subject: models.Model) -> list[Document]:
    """The documents issued about `subject`, newest first (the app has already checked the subject's scope)."""
    return list(Document.objects.filter(subject_type=subject._meta.label_lower, subject_id=subject.pk)
                .select_related("superseded_by").order_by("-id"))


def document_pdf_response(doc: Document, *, inline: bool = True) -> FileResponse:
    """The stored PDF as a download, for an app's own page (after its own scope check)."""
    return FileResponse(doc.pdf.open("rb"), content_type="application/pdf", as_attachment=not inline,
                        filename=f"{doc.number}.pdf")


@dataclass(frozen=True)
class Verdict:
    """What /verify/ says. `reason`: genuine | malformed | unknown | bad_signature | altered | withdrawn |
    superseded | file_altered | file_unknown. `document` is set only once the signature has been checked."""

    genuine: bool
    reason: str
    message: str
    document: Document | None = None

    def as_dict(self) -> dict[str, Any]:
        d = self.document
        out: dict[str, Any] = {"genuine": self.genuine, "reason": self.reason, "message": self.message,
                               "document": None}
        if d is not None:
            out["document"] = {
                "kind": d.kind, "number": d.number, "title": d.title, "issuer": d.issuer,
                "issued_at": d.issued_at, "subject_summary": d.subject_summary, "status": d.status,
                "status_reason": d.status_reason, "status_changed_at": d.status_changed_at,
                "superseded_by": d.superseded_by.number if d.superseded_by_id else None,
                "content_sha256": d.content_sha256, "pdf_sha256": d.pdf_sha256, "pdf_signature": d.pdf_signature,
                "key_id": d.key_id}
        return out


def _verdict_of(doc: Document, signature: bytes) -> Verdict:
    public = public_key_for(doc.key_id)
    if public is None:
        return Verdict(False, "bad_signature", _("签名密钥不是本平台的现行或已登记的旧密钥，无法确认为本平台出具"))
    try:
        public.verify(signature, _signed_message(doc.pk, doc.content_sha256))
    except InvalidSignature:
        return Verdict(False, "bad_signature", _("核验码的签名不符：不是本平台出具的文书，可能是伪造的"))
    if content_digest(doc) != doc.content_sha256:
        return Verdict(False, "altered", _("该文书的存档内容与签名时不一致，已被改动，不能作为有效文书"))
    if doc.status == Document.Status.WITHDRAWN:
        when = timezone.localtime(doc.status_changed_at).strftime("%Y-%m-%d") if doc.status_changed_at else ""
        return Verdict(False, "withdrawn", _("该文书已于 %(d)s 撤销，不再有效。原因：%(r)s")
                       % {"d": when, "r": doc.status_reason}, doc)
    if doc.status == Document.Status.SUPERSEDED:
        by = doc.superseded_by.number if doc.superseded_by_id else ""
        return Verdict(False, "superseded", _("该文书已被 %(by)s 替代，不再有效。原因：%(r)s")
                       % {"by": by, "r": doc.status_reason}, doc)
    return Verdict(True, "genuine", _("真实有效：本文书由本平台出具，签名与内容一致"), doc)


def verify_code(code: str) -> Verdict:
    """The verdict on a code (from a QR code or typed in): one query."""
    parsed = parse_code(code)
    if parsed is None:
        return Verdict(False, "malformed", _("核验码格式不对：请扫描文书上的二维码，或完整输入其下的网址"))
    doc_id, signature = parsed
    doc = Document.objects.select_related("superseded_by").filter(pk=doc_id).first()
    if doc is None:
        return Verdict(False, "unknown", _("查无此文书：本平台没有出具过与该核验码对应的文书"))
    return _verdict_of(doc, signature)


def verify_pdf(data: bytes) -> Verdict:
    """The verdict on a PDF file: genuine only if it is byte for byte the file issued (its SHA-256 on record)."""
    digest = hashlib.sha256(data).hexdigest()
    doc = Document.objects.select_related("superseded_by").filter(pdf_sha256=digest).order_by("id").first()
    if doc is not None:
        return _verdict_of(doc, _unb64(doc.signature))
    found = _CODE_IN_PDF.search(data)
    if found is not None:
        named = verify_code(found.group(1).decode())
        if named.document is not None or named.reason == "bad_signature":
            number = named.document.number if named.document is not None else ""
            return Verdict(False, "file_altered",
                           _("文件内容与本平台出具的文书 %(n)s 不一致（PDF 摘要不符），已被改动，不能作为有效文书")
                           % {"n": number} if number else
                           _("文件内容已被改动，且其核验码的签名不符，不能作为有效文书"))
    return Verdict(False, "file_unknown", _("查无此文件：本平台没有出具过与该 PDF 完全一致的文书"))
