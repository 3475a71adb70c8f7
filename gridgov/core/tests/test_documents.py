"""Verifiable documents (gridgov.core.documents): a window clerk issues a 受理通知书; a resident checks the QR code
of the printed copy; a forged code, an altered PDF and a withdrawn notice are each named for what they are."""

from __future__ import annotations

import base64
import io
import os

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core import documents
from gridgov.core.documents import fields, issue_document, paragraph, table
from gridgov.core.errors import ValidationFailed
from gridgov.core.masking import mask_name
from gridgov.core.models import ChangeRecord, Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GRIDGOV_DOCUMENT_KEY_FILE = str(tmp_path / "keys" / "documents.pem")
    settings.GRIDGOV_SITE_URL = "https://gov.example.cn"


def notice(world, **over):
    """泊里镇's window clerk accepts the resident 居民辛's application and issues the acceptance notice."""
    kwargs = dict(
        kind="window.acceptance_notice", title="受理通知书", number_prefix="泊里受字", issuer="泊里镇人民政府",
        jurisdiction=world.town.code, subject=world.resident,
        subject_summary=f"申请人：{mask_name(world.resident.display_name)}；事项：城乡居民最低生活保障",
        body=[paragraph(f"{world.resident.display_name}：你于2026年12月7日提出的城乡居民最低生活保障申请，经审查，"
                        "申请材料齐全、符合法定形式，决定予以受理。"),
              fields([("申请事项", "城乡居民最低生活保障"), ("受理窗口", "泊里镇便民服务中心综合受理窗口")]),
              table(["材料名称", "份数"], [["居民身份证复印件", 1], ["户口簿复印件", 1]])],
        acting_user=world.clerk)
    kwargs.update(over)
    return issue_document(**kwargs)


def pdf_bytes(doc: Document) -> bytes:
    with doc.pdf.open("rb") as f:
        return f.read()


def test_it_gives_the_window_clerk_a_numbered_notice_whose_pdf_holds_the_chinese_text_in_an_embedded_font(world):
    doc = notice(world)
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(doc)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert doc.number == f"泊里受字〔{doc.year}〕第0001号"
    for words in ("泊里镇人民政府", "受理通知书", doc.number, "决定予以受理", "居民身份证复印件", "扫码或访问"):
        assert words in text.replace("\n", "")
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "/FontDescriptor" in f]  # reportlab also names Helvetica, which draws nothing here
    assert cjk and all("/FontFile2" in f["/FontDescriptor"] for f in cjk)  # the TrueType program is in the file
    assert all("+" in str(f["/BaseFont"]) for f in cjk)  # a subset (AAAAAA+Name), not the 20 MB font


def test_it_numbers_each_kind_per_town_and_year(world):
    first, second = notice(world), notice(world)
    other_town = notice(world, jurisdiction=world.other_town.code, number_prefix="辛安受字")
    other_kind = notice(world, kind="window.correction_notice", number_prefix="泊里补字", title="补正告知书")
    assert (first.seq, second.seq, other_town.seq, other_kind.seq) == (1, 2, 1, 1)
    assert second.number.endswith("第0002号") and other_town.number.startswith("辛安受字")


def test_it_audits_the_issue_and_stores_the_pdf_as_a_file(world):
    doc = notice(world)
    assert os.path.exists(doc.pdf.path)
    assert ChangeRecord.objects.filter(model="core.document", object_id=str(doc.pk), action="create").exists()


def test_it_tells_a_resident_scanning_the_printed_copy_that_it_is_genuine(world, client_for):
    doc = notice(world)
    page = client_for(None).get(documents.verify_path(doc))
    html = page.content.decode()
    assert page.status_code == 200 and "真实有效" in html
    assert doc.number in html and "受理通知书" in html and "泊里镇人民政府" in html and doc.content_sha256 in html
    assert mask_name(world.resident.display_name) in html and world.resident.display_name not in html


def test_it_puts_the_verification_link_of_the_document_in_its_qr_code(world):
    doc = notice(world)
    url = documents.verify_url(doc)
    assert url.startswith("https://gov.example.cn/verify/") and len(documents.code_of(doc)) == 95
    # The URL is drawn under the QR code in two lines, and the code is named in the file's keywords.
    assert documents.code_of(doc).encode() in pdf_bytes(doc)


def test_it_answers_the_api_with_the_same_verdict(world, client_for):
    doc = notice(world)
    body = client_for(None).get(f"/api/v1/verify/{documents.code_of(doc)}").json()
    assert body["genuine"] is True and body["document"]["number"] == doc.number
    assert world.resident.display_name not in str(body)


def test_it_refuses_a_forged_code_naming_the_signature(world, client_for):
    doc = notice(world)
    doc_id, signature = documents.parse_code(documents.code_of(doc))
    forged = documents.make_code(doc_id, bytes(64))
    page = client_for(None).get(f"/verify/{forged}")
    assert page.status_code == 200 and "签名不符" in page.content.decode()
    assert doc.number not in page.content.decode()  # a forged code learns nothing about the document


def test_it_refuses_a_code_of_no_document_and_a_mangled_code(world):
    assert documents.verify_code(documents.make_code(2_000_000, bytes(64))).reason == "unknown"
    assert documents.verify_code("0001").reason == "malformed"
    assert documents.verify_code("A" * 95).reason in ("malformed", "unknown")


def test_it_says_an_altered_pdf_is_not_genuine_and_the_issued_file_is(world, client_for):
    doc = notice(world)
    issued = pdf_bytes(doc)
    altered = issued.replace(b"/Author", b"/Autho ", 1)
    anonymous = client_for(None)
    answer = anonymous.post("/verify/", {"pdf": SimpleUploadedFile("copy.pdf", altered), "_form": "verify"})
    assert answer.status_code == 200 and "已被改动" in answer.content.decode() and doc.number in answer.content.decode()
    api = anonymous.post("/api/v1/verify/file", {"pdf": SimpleUploadedFile("copy.pdf", issued)}).json()
    assert api["genuine"] is True and api["document"]["pdf_sha256"] == doc.pdf_sha256
    other = anonymous.post("/api/v1/verify/file", {"pdf": SimpleUploadedFile("x.pdf", b"%PDF-1.4 nothing")}).json()
    assert other["reason"] == "file_unknown"


def test_it_says_a_withdrawn_notice_is_no_longer_valid_with_the_reason(world, client_for):
    doc = notice(world)
    documents.document_withdraw(document=doc, reason="申请人撤回申请", acting_user=world.clerk)
    html = client_for(None).get(documents.verify_path(doc)).content.decode()
    assert "撤销" in html and "申请人撤回申请" in html and "真实有效" not in html.split("上传 PDF")[0]
    assert ChangeRecord.objects.filter(model="core.document", object_id=str(doc.pk), action="update").exists()
    with pytest.raises(ValidationFailed):
        documents.document_withdraw(document=doc, reason="再撤一次", acting_user=world.clerk)


def test_it_names_the_replacing_notice_of_a_superseded_one(world):
    old = notice(world)
    new = notice(world, supersedes=old, supersede_reason="更正申请事项名称")
    verdict = documents.verify_code(documents.code_of(old))
    assert verdict.reason == "superseded" and new.number in verdict.message
    assert documents.verify_code(documents.code_of(new)).genuine


def test_it_detects_a_record_edited_behind_the_signature(world):
    doc = notice(world)
    Document.objects.filter(pk=doc.pk).update(title="准予许可决定书")
    assert documents.verify_code(documents.code_of(doc)).reason == "altered"


def test_it_publishes_the_public_key_that_verifies_the_pdf_signature(world, client_for):
    doc = notice(world)
    keys = client_for(None).get("/api/v1/verify/keys").json()
    pem = client_for(None).get("/verify/key.pem").content.decode()
    assert keys[0]["public_key_pem"] == pem and keys[0]["key_id"] == doc.key_id
    raw = base64.urlsafe_b64decode(keys[0]["public_key"] + "=")
    message = f"gridgov-document-pdf:v1:{doc.pk}:{doc.content_sha256}:{doc.pdf_sha256}".encode()
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.urlsafe_b64decode(doc.pdf_signature + "=="), message)


def test_it_keeps_the_generated_key_private_and_reuses_it(world, settings):
    first = documents.signing_key()
    path = documents.key_file()
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    documents._cached_key.cache_clear()
    assert documents.signing_key().key_id == first.key_id


def test_it_refuses_a_malformed_body_and_leaves_neither_row_nor_file(world, settings):
    with pytest.raises(ValidationFailed) as refused:
        notice(world, body=[{"type": "table", "columns": ["a", "b"], "rows": [["only one"]]}])
    assert "body" in refused.value.errors
    assert not Document.objects.exists()
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, "documents"))


def test_it_removes_the_pdf_when_the_write_fails_after_storing_it(world, settings):
    old = notice(world)
    documents.document_withdraw(document=old, reason="作废", acting_user=world.clerk)
    with pytest.raises(ValidationFailed):
        notice(world, supersedes=old, supersede_reason="替代已撤销的")  # refused after the PDF was stored
    assert Document.objects.count() == 1
    stored = [n for _d, _s, names in os.walk(os.path.join(settings.MEDIA_ROOT, "documents")) for n in names]
    assert stored == [os.path.basename(old.pdf.name)]


def test_it_shows_the_form_again_with_the_reason_beside_the_field(world, client_for):
    page = client_for(None).post("/verify/", {"code": "not a code", "_form": "verify"})
    assert page.status_code == 422 and 'id="e-verify-code"' in page.content.decode()
    page = client_for(None).post("/verify/", {"pdf": SimpleUploadedFile("x.pdf", b"GIF89a"), "_form": "verify"})
    assert page.status_code == 422 and 'id="e-verify-pdf"' in page.content.decode()


def test_it_takes_a_pasted_link_to_its_verification_page(world, client_for):
    doc = notice(world)
    answer = client_for(None).post("/verify/", {"code": documents.verify_url(doc), "_form": "verify"})
    assert answer.status_code == 302 and answer["Location"] == documents.verify_path(doc)


def test_it_verifies_with_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    doc = notice(world, supersedes=notice(world), supersede_reason="更正")
    anonymous = client_for(None)
    with django_assert_max_num_queries(2):
        anonymous.get(documents.verify_path(doc))


def test_it_still_verifies_a_notice_signed_before_the_key_changed_once_its_public_key_is_retired(world, settings,
                                                                                                tmp_path):
    old = notice(world)
    retired = documents.retired_keys_dir()
    retired.mkdir(parents=True)
    (retired / f"{old.key_id}.pem").write_text(documents.signing_key().public_pem)
    documents.key_file().rename(tmp_path / "lost.pem")  # the private key is gone; a new one is made
    documents._cached_key.cache_clear()
    new = notice(world)
    assert new.key_id != old.key_id
    assert documents.verify_code(documents.code_of(old)).genuine and documents.verify_code(documents.code_of(new)).genuine
    (retired / f"{old.key_id}.pem").unlink()
    os.utime(retired, (0, 0))
    assert documents.verify_code(documents.code_of(old)).reason == "bad_signature"
