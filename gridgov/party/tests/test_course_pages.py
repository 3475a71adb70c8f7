"""Online study through the pages: the administrator of 泊里镇 creates and edits a course (text, document or a
video link) with a quiz typed as plain text; a member passes the quiz and earns the study point."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import ChangeRecord
from gridgov.party import services
from gridgov.party.models import Course, PointEntry, QuizQuestion
from gridgov.party.views import quiz_from_text

QUIZ = "党的最高理想是？\n*实现共产主义\n发家致富\n\n支部党员大会多久召开一次？\n每月\n*每季度"


def new_course(client_for, world, **changes):
    form = {"town": world.town.pk, "title": "中国共产党章程", "kind": "video", "body": "学习党章",
            "video_url": "https://example.org/dangzhang.mp4", "published": "1", "questions": QUIZ}
    form.update(changes)
    return client_for("admin").post("/party/courses/new/", form)


def test_the_administrator_creates_a_video_course_with_a_two_question_quiz(party, world, client_for):
    resp = new_course(client_for, world)
    c = Course.objects.get()
    assert resp.status_code == 302 and (c.kind, c.video_url) == ("video", "https://example.org/dangzhang.mp4")
    assert [(q.text, q.answer) for q in c.questions.order_by("id")] == [("党的最高理想是？", 0),
                                                                         ("支部党员大会多久召开一次？", 1)]


def test_a_member_passes_the_quiz_on_the_page_and_earns_the_study_point(party, world, client_for):
    new_course(client_for, world)
    c = Course.objects.get()
    q1, q2 = c.questions.order_by("id")
    resp = client_for("member").post(f"/party/courses/{c.pk}/", {f"q{q1.pk}": "0", f"q{q2.pk}": "1"})
    assert resp.status_code == 200 and PointEntry.objects.get(member=party.members[0]).category == "study"


def test_a_video_course_without_its_link_is_refused_naming_the_field(party, world, client_for):
    resp = new_course(client_for, world, video_url="")
    assert resp.status_code == 422 and "视频课程请填写视频链接" in resp.content.decode()
    assert not Course.objects.exists()


def test_a_quiz_question_without_a_marked_answer_is_refused_and_nothing_is_saved(party, world, client_for):
    resp = new_course(client_for, world, questions="党的最高理想是？\n实现共产主义\n发家致富")
    assert resp.status_code == 422 and "第 1 题" in resp.content.decode()
    assert not Course.objects.exists() and not QuizQuestion.objects.exists()


def test_a_document_course_stores_the_uploaded_file(party, world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = SimpleUploadedFile("条例.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    resp = new_course(client_for, world, kind="document", video_url="", document=doc, questions="")
    c = Course.objects.get()
    assert resp.status_code == 302 and c.document.name.endswith(".pdf") and c.document.read() == b"%PDF-1.4 demo"


def test_the_administrator_edits_the_course_and_replaces_the_quiz_audited(party, world, client_for):
    new_course(client_for, world)
    c = Course.objects.get()
    resp = client_for("admin").post(f"/party/courses/{c.pk}/edit/", {
        "version": c.version, "title": "党章（2022 年修订）", "kind": "text", "body": "全文", "published": "1",
        "questions": "党章共几章？\n*十一章\n十章"})
    assert resp.status_code == 302 and Course.objects.get().title == "党章（2022 年修订）"
    assert list(QuizQuestion.objects.values_list("text", flat=True)) == ["党章共几章？"]
    assert ChangeRecord.objects.filter(model="party.quizquestion", action="delete").count() == 2
    rec = ChangeRecord.objects.filter(model="party.course", action="update").get()
    assert (rec.before["title"], rec.after["title"]) == ("中国共产党章程", "党章（2022 年修订）")


def test_saving_a_course_with_its_quiz_unchanged_keeps_the_questions(party, world, client_for):
    new_course(client_for, world)
    c = Course.objects.get()
    before = list(QuizQuestion.objects.values_list("pk", flat=True))
    client_for("admin").post(f"/party/courses/{c.pk}/edit/", {
        "version": c.version, "title": "党章", "kind": "video", "video_url": c.video_url, "published": "1",
        "questions": QUIZ})
    assert list(QuizQuestion.objects.values_list("pk", flat=True)) == before


def test_two_edits_of_one_course_one_wins_the_other_gets_409(party, world, client_for):
    new_course(client_for, world)
    c = Course.objects.get()
    form = {"version": 1, "kind": "text", "body": "全文", "published": "1", "questions": ""}
    first = client_for("admin").post(f"/party/courses/{c.pk}/edit/", {**form, "title": "甲改"})
    second = client_for("admin").post(f"/party/courses/{c.pk}/edit/", {**form, "title": "乙改"})
    assert (first.status_code, second.status_code) == (302, 409) and Course.objects.get().title == "甲改"


def test_a_draft_is_hidden_from_members(party, world, client_for):
    new_course(client_for, world, published="")
    c = Course.objects.get()
    assert client_for("member").get(f"/party/courses/{c.pk}/").status_code == 404
    assert client_for("admin").get(f"/party/courses/{c.pk}/").status_code == 200


def test_a_branch_secretary_cannot_create_town_courses(party, client_for):
    assert client_for("secretary_a").get("/party/courses/new/").status_code == 404


def test_another_towns_leader_gets_404_editing_a_course_of_this_town(party, world, client_for):
    new_course(client_for, world)
    c = Course.objects.get()
    assert client_for("other_leader").get(f"/party/courses/{c.pk}/edit/").status_code == 404
    assert client_for("other_leader").get(f"/api/v1/party/courses/{c.pk}").status_code == 404


def test_the_course_api_hides_the_answers_and_answers_a_stale_patch_with_409(party, world, client_for):
    c = client_for("admin")
    created = c.post("/api/v1/party/courses", json.dumps({
        "town": world.town.pk, "title": "支部工作条例", "body": "全文",
        "questions": [{"text": "党员大会多久一次？", "options": ["每月", "每季度"], "answer": 1}]}),
        content_type="application/json").json()
    assert "answer" not in created["questions"][0]
    patch = json.dumps({"version": 1, "title": "条例解读"})
    url = f"/api/v1/party/courses/{created['id']}"
    assert c.patch(url, patch, content_type="application/json").status_code == 200
    assert c.patch(url, patch, content_type="application/json").status_code == 409


def test_the_course_api_refuses_an_answer_outside_the_options(party, world, client_for):
    resp = client_for("admin").post("/api/v1/party/courses", json.dumps({
        "town": world.town.pk, "title": "条例", "body": "全文",
        "questions": [{"text": "题", "options": ["甲", "乙"], "answer": 2}]}), content_type="application/json")
    assert resp.status_code == 422 and "超出选项范围" in resp.json()["errors"]["questions"][0]


def test_the_quiz_text_reads_full_width_stars_and_blank_lines_with_spaces():
    assert quiz_from_text("题一\n＊对\n错\n   \n题二\n错\n*对") == [
        {"text": "题一", "options": ["对", "错"], "answer": 0}, {"text": "题二", "options": ["错", "对"], "answer": 1}]


def test_the_course_list_costs_the_same_queries_for_10_and_100_rows(party, world, client_for):
    for i in range(110):
        services.course_create(acting_user=world.admin, town=world.town, title=f"课程{i}", body="正文",
                               questions=[{"text": "题", "options": ["甲", "乙"], "answer": 0}])
    c = client_for("member")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count("/api/v1/party/courses?limit=10") == count("/api/v1/party/courses?limit=100")
    assert count("/party/courses/?page=3") == count("/party/courses/")
