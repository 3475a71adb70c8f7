"""Besides the in-app inbox, the people concerned get an e-mail and a text message: the department clerk
(部门工作人员) learns of a dispatched case on their phone. Both go out after commit only, through the
configured channels; a failing channel never undoes the transition nor stops the other channel."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from gridgov.cases.engine import fire
from gridgov.cases.models import Case
from gridgov.core.errors import Conflict

EMAIL = "gridgov.cases.notifications.email_backend"
SMS = "gridgov.cases.notifications.sms_backend"


class Gateway:
    """A real HTTP SMS gateway on 127.0.0.1 that records what it receives and answers `status`."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((dict(self.headers), body))
                self.send_response(gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def channels(settings, case_world, gateway):
    settings.GRIDGOV_NOTIFY_BACKENDS = [SMS, EMAIL]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GRIDGOV_SMS_URL = gateway.url
    settings.GRIDGOV_SMS_TOKEN = "t0ken"
    settings.GRIDGOV_SITE_URL = "https://grid.example.cn"
    clerk = case_world.people["clerk"]
    clerk.email, clerk.phone = "clerk@boli.example.cn", "13912345678"
    clerk.save()
    return gateway


def _filed(world, report):
    case = report("worker_a")
    fire(case=Case.objects.get(pk=case.pk), transition="file", acting_user=world.people["dispatcher"])
    return Case.objects.get(pk=case.pk)


def test_the_clerk_gets_an_email_and_a_text_when_a_case_is_dispatched_to_their_department(
        case_world, report, channels, django_capture_on_commit_callbacks):
    case = _filed(case_world, report)
    mail.outbox.clear()
    channels.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fire(case=case, transition="dispatch", acting_user=case_world.people["dispatcher"])
    case.refresh_from_db()
    to_clerk = [m for m in mail.outbox if m.to == ["clerk@boli.example.cn"]]
    assert len(to_clerk) == 1 and case.number in to_clerk[0].subject
    assert f"https://grid.example.cn/cases/{case.pk}/" in to_clerk[0].body
    texts = [(h, b) for h, b in channels.received if b["phone"] == "13912345678"]
    assert len(texts) == 1
    headers, body = texts[0]
    assert headers["Authorization"] == "Bearer t0ken" and case.number in body["text"]


def test_nothing_goes_out_when_the_transition_fails(case_world, report, channels,
                                                   django_capture_on_commit_callbacks):
    case = _filed(case_world, report)
    mail.outbox.clear()
    channels.received.clear()
    stale = Case.objects.get(pk=case.pk)
    fire(case=Case.objects.get(pk=case.pk), transition="dispatch", acting_user=case_world.people["dispatcher"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        fire(case=stale, transition="dispatch", acting_user=case_world.people["dispatcher"])
    assert mail.outbox == [] and channels.received == []


def test_a_gateway_error_is_logged_and_the_email_still_goes(case_world, report, channels, caplog,
                                                            django_capture_on_commit_callbacks):
    case = _filed(case_world, report)
    mail.outbox.clear()
    channels.status = 500
    before = case.stage
    with django_capture_on_commit_callbacks(execute=True):
        fire(case=case, transition="dispatch", acting_user=case_world.people["dispatcher"])
    assert Case.objects.get(pk=case.pk).stage != before  # the dispatch stands
    assert any(m.to == ["clerk@boli.example.cn"] for m in mail.outbox)
    assert "notification backend failed" in caplog.text


def test_people_without_an_address_or_a_mobile_get_the_inbox_only(case_world, report, channels,
                                                                  django_capture_on_commit_callbacks):
    clerk = case_world.people["clerk"]
    clerk.email, clerk.phone = "", ""
    clerk.save()
    case = _filed(case_world, report)
    mail.outbox.clear()
    channels.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fire(case=case, transition="dispatch", acting_user=case_world.people["dispatcher"])
    assert mail.outbox == [] and channels.received == []


def test_the_inbox_names_each_notification_in_the_readers_language(case_world, report, client_for):
    """Cases are reported, dispatched and urged in Chinese; the dispatcher and the department clerk who read
    in English see the report, the 派遣 and the sweep's 督办 named in English, on the inbox page and in the
    API alike, while what was written (and sent) stays as it was."""
    from datetime import timedelta

    from django.utils import timezone

    from gridgov.cases import engine
    from gridgov.cases.models import Case, Notification
    from gridgov.cases.services import case_sweep

    case = report("worker_a")
    case = engine.fire(case=case, transition="file", acting_user=case_world.dispatcher)
    case = engine.fire(case=case, transition="dispatch", acting_user=case_world.dispatcher,
                       data={"department": case_world.department.pk})
    Case.objects.filter(pk=case.pk).update(step_deadline=timezone.now() - timedelta(minutes=1))
    assert case_sweep().marked == 1
    mine = list(Notification.objects.filter(recipient=case_world.dispatcher).order_by("-id"))
    assert [(n.kind, n.title) for n in mine] == [("urge", f"督办 {case.number}：{case.title} 已超期"),
                                                ("report", f"新上报 {case.number}：{case.title}")]

    def read(key, lang):
        c = client_for(key)
        if lang:
            c.cookies["django_language"] = lang
        rows = c.get("/api/v1/cases/cases/notifications").json()
        return [(r["title"], r["body"]) for r in rows], c.get("/cases/inbox/").content.decode()

    rows, page = read("dispatcher", "en")
    note = "The time limit of this step has passed; the system urged the case automatically"
    assert rows == [(f"Urged {case.number}: {case.title} is overdue", note),
                    (f"New report {case.number}: {case.title}", "")]
    assert f"Urged {case.number}: {case.title} is overdue" in page
    rows, page = read("clerk", "en")
    assert rows[-1][0] == f"{case.number} Dispatch: {case.title}"
    rows, _ = read("dispatcher", "")
    assert [t for t, _b in rows] == [n.title for n in mine]
