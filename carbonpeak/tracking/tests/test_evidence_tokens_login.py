"""Evidence files (type by magic bytes, size), API tokens (unit scope, read-only, revocation), login lockout."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from carbonpeak.tracking import services
from carbonpeak.tracking.models import Evidence, IndicatorReport
from carbonpeak.tracking.permissions import actor_for_user

from .conftest import PASSWORD, PNG_BYTES

pytestmark = pytest.mark.django_db


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, "<x/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.fixture
def task_report(users, units, period, small_plan):
    task = small_plan.actions.get(number=1).tasks.get(number=1)
    return services.save_task_report(actor_for_user(users["zjj-reporter"]), task=task, unit=units["zhujiajiao"],
                                     period=period, narrative="光伏备案")


GOOD = [("scan.pdf", b"%PDF-1.7\n..."), ("photo.png", PNG_BYTES), ("photo.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20),
        ("data.xlsx", _zip("xl/workbook.xml")), ("memo.docx", _zip("word/document.xml"))]
BAD = [("evil.pdf", b"MZ\x90\x00 windows exe"),  # extension lies
       ("photo.png", b"\xff\xd8\xff\xe0 a jpeg named png"),
       ("data.xlsx", _zip("word/document.xml")),  # a docx renamed
       ("script.html", b"<script>alert(1)</script>"),
       ("archive.zip", _zip("xl/workbook.xml")),
       ("noext", b"%PDF-1.4"),
       ("empty.pdf", b"")]


@pytest.mark.parametrize("name,content", GOOD, ids=[g[0] for g in GOOD])
def test_allowed_files_are_stored_under_a_random_name(client, task_report, name, content, settings):
    client.login(username="zjj-reporter", password=PASSWORD)
    response = client.post(f"/tracking/task-reports/{task_report.pk}/evidence/",
                           {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert item.original_name == name and item.size == len(content)
    assert name.split(".")[0] not in item.file.name and item.file.name.startswith("tracking/evidence/")
    assert (settings.MEDIA_ROOT / item.file.name).read_bytes() == content
    download = client.get(f"/tracking/evidence/{item.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["X-Content-Type-Options"] == "nosniff" and "attachment" in download["Content-Disposition"]
    assert [e.action for e in task_report.audit_entries()] == ["create", "add_evidence"]


@pytest.mark.parametrize("name,content", BAD, ids=[b[0] for b in BAD])
def test_disallowed_files_are_rejected(client, task_report, name, content):
    client.login(username="zjj-reporter", password=PASSWORD)
    response = client.post(f"/tracking/task-reports/{task_report.pk}/evidence/",
                           {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (302, 400)
    assert not Evidence.objects.exists()


def test_oversized_file_is_rejected(client, task_report):
    client.login(username="zjj-reporter", password=PASSWORD)
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    response = client.post(f"/tracking/task-reports/{task_report.pk}/evidence/",
                           {"file": SimpleUploadedFile("big.pdf", big)})
    assert response.status_code == 400 and "10 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_no_evidence_changes_after_approval(task_report, users):
    reporter = actor_for_user(users["zjj-reporter"])
    item = services.add_evidence(reporter, task_report, SimpleUploadedFile("a.png", PNG_BYTES))
    services.approve(actor_for_user(users["zjj-reviewer"]), services.submit(reporter, task_report))
    with pytest.raises(services.WorkflowError):
        services.add_evidence(reporter, task_report, SimpleUploadedFile("b.png", PNG_BYTES))
    with pytest.raises(services.WorkflowError):
        services.remove_evidence(reporter, Evidence.objects.get(pk=item.pk))
    assert Evidence.objects.count() == 1


# --- API tokens -----------------------------------------------------------------------------------------------

def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_scoped_to_its_unit(client, world):
    h = bearer(world["zjj_raw"])
    rows = client.get("/api/tracking/indicator-reports", **h)
    assert rows.status_code == 200 and {r["unit"] for r in rows.json()} == {"zhujiajiao"}
    assert client.get(f"/api/tracking/indicator-reports/{world['jw_ind'].pk}", **h).status_code == 404
    assert client.get(f"/api/tracking/indicator-reports/{world['zjj_ind'].pk}", **h).status_code == 200
    made = client.post("/api/tracking/indicator-reports",
                       {"period": "2024", "indicator": "pv-capacity-added", "value": 0.7, "submit": True},
                       content_type="application/json", **h)
    assert made.status_code == 200, made.content
    assert made.json()["unit"] == "zhujiajiao" and made.json()["status"] == "submitted"
    entry = IndicatorReport.objects.get(pk=made.json()["id"]).audit_entries().last()
    assert entry.token == world["zjj_token"] and entry.actor_name.startswith("token:")
    # other unit, other unit's indicator, reviewing: refused
    assert client.post("/api/tracking/indicator-reports", {"period": "2024", "indicator": "green-factories",
                                                           "unit": "jingwei", "value": 1},
                       content_type="application/json", **h).status_code == 404
    assert client.post("/api/tracking/indicator-reports", {"period": "2024", "indicator": "chargers", "value": 1},
                       content_type="application/json", **h).status_code == 404
    assert client.post(f"/api/tracking/indicator-reports/{world['zjj_ind'].pk}/approve", {},
                       content_type="application/json", **h).status_code == 403
    world["zjj_token"].refresh_from_db()
    assert world["zjj_token"].last_used_at is not None


def test_bad_revoked_and_read_only_tokens(client, world, users, units):
    assert client.get("/api/tracking/periods", **bearer("cpk_wrong")).status_code == 401
    services.revoke_token(actor_for_user(users["office"]), world["jw_token"])
    assert client.get("/api/tracking/periods", **bearer(world["jw_raw"])).status_code == 401
    _token, raw = services.create_token(actor_for_user(users["zjj-reviewer"]), units["zhujiajiao"], "dash",
                                        read_only=True)
    assert client.get("/api/tracking/indicator-reports", **bearer(raw)).status_code == 200
    assert client.post("/api/tracking/indicator-reports", {"period": "2024", "indicator": "pv-capacity-added",
                                                           "value": 1},
                       content_type="application/json", **bearer(raw)).status_code == 403


def test_token_page_shows_raw_token_once_and_stores_hash(client, users, units):
    client.login(username="zjj-reviewer", password=PASSWORD)
    response = client.post("/tracking/tokens/", {"name": "SCADA", "unit": units["zhujiajiao"].pk})
    raw = response.context["raw_token"]
    assert raw and raw in response.content.decode()
    page = client.get("/tracking/tokens/").content.decode()
    assert raw not in page and raw[:8] in page
    # a unit reviewer cannot make tokens for another unit
    response = client.post("/tracking/tokens/", {"name": "x", "unit": units["jingwei"].pk})
    assert response.context["raw_token"] is None


# --- login ----------------------------------------------------------------------------------------------------

LOCKED_OUT_ZH = "登录失败次数过多，请 15 分钟后再试。"  # the zh-hans lockout message (tracking/locale)


def test_login_locks_out_after_five_failures(client, users):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "zjj-reporter", "password": "wrong"})
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
        assert LOCKED_OUT_ZH not in response.content.decode()  # a wrong password is not yet a lockout
    response = client.post("/accounts/login/", {"username": "zjj-reporter", "password": PASSWORD})
    assert response.status_code == 200 and LOCKED_OUT_ZH in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    # another username from the same address is not locked
    response = client.post("/accounts/login/", {"username": "zjj-reviewer", "password": PASSWORD})
    assert response.status_code == 302


def test_login_lockout_is_per_address_and_success_resets(client, users):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):  # the counter was reset by the successful login
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    other_ip = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD},
                           REMOTE_ADDR="10.9.9.9")
    assert other_ip.status_code == 302


def test_passwords_are_hashed(users):
    assert users["office"].password != PASSWORD and "$" in users["office"].password
