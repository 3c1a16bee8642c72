"""`keiyaku serve` without a browser: access token, host check, CSRF, limits, escaping, headers, downloads,
versions and their conflicts, import and export. Every refusal is Japanese and changes nothing stored."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import warnings
import zipfile
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT, docx_lines

EXAMPLE = ROOT / "examples" / "data_provision.yaml"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def store(tmp_path):
    from contracts.store import Store

    return Store.open(tmp_path / "data")


def client_for(store, **kwargs) -> TestClient:
    from web.app import create_app

    return TestClient(create_app(store, **kwargs), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)


@pytest.fixture
def client(store):
    return client_for(store)


def csrf_of(client) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)[1]


def example_raw() -> dict:
    from contracts import questions as Q
    from contracts.answers import parse_text

    return Q.flatten(parse_text(EXAMPLE.read_text(encoding="utf-8"), "example.yaml"))


def new_deal(client, csrf, model="data_provision") -> int:
    r = client.post("/deals", data={"csrf_token": csrf, "model": model}, follow_redirects=False)
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[1])


def post_answers(client, csrf, deal_id, rev, fields: dict, section="parties", **extra):
    data = {"csrf_token": csrf, "_rev": str(rev), "_section": section, "_sig": "-", **fields,
            **{k: str(v) for k, v in extra.items()}}
    return client.post(f"/deals/{deal_id}/answers", data=data, headers={"X-Requested-With": "fetch"})


def filled_deal(client, csrf, store, saved: bool = True) -> int:
    from contracts import questions as Q

    deal_id = new_deal(client, csrf)
    fields = {k: v for k, v in example_raw().items() if Q.askable(k)}
    r = post_answers(client, csrf, deal_id, store.get(deal_id).draft_rev, fields)
    assert r.status_code == 200 and r.json()["ok"], r.text
    assert r.json()["errors"] == {}
    if saved:
        r = post_answers(client, csrf, deal_id, r.json()["rev"], fields, action="save", _head=0, author="テスト 太郎",
                         note="初版")
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "第1版として保存しました（テスト 太郎）。"
    return deal_id


# --------------------------------------------------------------------------- the gate


def test_loopback_by_default_and_a_foreign_host_header_is_refused(store):
    client = client_for(store)
    assert client.get("/").status_code == 200
    r = client.get("/", headers={"host": "attacker.example:8000"})
    assert r.status_code == 400 and JAPANESE.search(r.text)
    for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
        assert client.get("/", headers={"host": host}).status_code == 200


def test_another_host_requires_the_access_token(store):
    client = client_for(store, token="s3cret-token", check_host=False)
    r = client.get("/")
    assert r.status_code == 401 and "アクセストークンが必要です" in r.text
    assert client.get("/?token=wrong").status_code == 401
    r = client.get("/new?token=s3cret-token", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/new"  # the token leaves the address bar
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    assert "s3cret-token" not in r.headers["set-cookie"]  # the cookie holds a keyed hash, not the token
    assert client.get("/").status_code == 200  # the cookie carries it from now on
    fresh = client_for(store, token="s3cret-token", check_host=False)
    assert fresh.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    assert fresh.get("/", headers={"authorization": "Bearer nope"}).status_code == 401


def test_serve_makes_a_token_for_a_non_loopback_host(tmp_path):
    from web.server import prepare_app

    _, token, db = prepare_app(tmp_path / "d", "0.0.0.0", None)
    assert token and len(token) >= 24 and db.name == "keiyaku.sqlite3"
    _, token, _ = prepare_app(tmp_path / "d", "127.0.0.1", None)
    assert token is None
    assert oct((tmp_path / "d").stat().st_mode & 0o777) == "0o700"
    assert oct(db.stat().st_mode & 0o777) == "0o600"


def test_security_headers_on_pages_static_files_and_refusals(client):
    for path in ("/", "/new", "/static/app.js", "/static/app.css", "/nowhere"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/nowhere").status_code == 404 and JAPANESE.search(client.get("/nowhere").text)
    # no inline script or style anywhere: the policy would block it
    for path in ("/", "/new"):
        page = client.get(path).text
        assert "<script>" not in page and "style=" not in page and " on" + "click=" not in page


def test_session_cookie_is_httponly_and_same_site(client):
    r = client.get("/")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("keiyaku_sid=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


# --------------------------------------------------------------------------- CSRF and bad requests


def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(client, store):
    csrf = csrf_of(client)
    for data in ({"model": "hackathon"}, {"model": "hackathon", "csrf_token": "0" * 64}):
        r = client.post("/deals", data=data)
        assert r.status_code == 403 and "再読み込み" in r.text
    other = client_for(store)  # another session: its token does not fit this one
    r = other.post("/deals", data={"model": "hackathon", "csrf_token": csrf})
    assert r.status_code == 403
    r = client.post("/deals", data={"model": "hackathon", "csrf_token": csrf}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and "別のサイト" in r.text
    r = client.post("/deals", data={"model": "hackathon", "csrf_token": csrf}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert store.deals() == []
    deal_id = new_deal(client, csrf)
    before = store.get(deal_id)
    r = client.post(f"/deals/{deal_id}/answers", data={"_rev": str(before.draft_rev), "parties.provider.name": "X"},
                    headers={"X-Requested-With": "fetch"})
    assert r.status_code == 403 and r.json()["ok"] is False and JAPANESE.search(r.json()["message"])
    assert store.get(deal_id) == before


def test_limits_on_requests_and_answers(client, store):
    from contracts.answers import MAX_ANSWERS_BYTES

    csrf = csrf_of(client)
    deal_id = new_deal(client, csrf)
    before = store.get(deal_id)
    big = {"csrf_token": csrf, "_rev": "1", "x": "a" * (1024 * 1024 + 10)}
    r = client.post(f"/deals/{deal_id}/answers", data=big)
    assert r.status_code == 413 and "大きすぎます" in r.text
    many = [("csrf_token", csrf), ("_rev", "1")] + [("data.items", "x")] * 1200
    r = client.post(f"/deals/{deal_id}/answers", content="&".join(f"{k}={v}" for k, v in many),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and JAPANESE.search(r.text)
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"data.description": "あ" * 10_001})
    assert r.status_code == 400 and "10,000文字以内" in r.json()["message"]
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"deal.choices.common_liability": "x"})
    assert r.status_code == 400 and "不明な項目" in r.json()["message"]
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"../../etc/passwd": "x"})
    assert r.status_code == 400
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"deal.hackathon.prizes[100].rank": "x"})
    assert r.status_code == 400
    r = post_answers(client, csrf, deal_id, "x1", {"data.title": "x"})
    assert r.status_code == 400
    assert store.get(deal_id) == before
    # an upload larger than an answers file may be
    r = client.post("/import", data={"csrf_token": csrf}, files={"file": ("a.yaml", b"#" * (MAX_ANSWERS_BYTES + 1))})
    assert r.status_code == 413
    assert len(store.deals()) == 1
    # a search is cut, not refused
    assert client.get("/?q=" + "検" * 500).status_code == 200


def test_a_stale_draft_and_a_stale_save_are_refused_with_a_message(client, store):
    from contracts import questions as Q

    csrf = csrf_of(client)
    deal_id = filled_deal(client, csrf, store)
    deal = store.get(deal_id)
    r = post_answers(client, csrf, deal_id, deal.draft_rev - 1, {"deal.term_months": "36"})
    assert r.status_code == 409 and "別のタブ又は別の人" in r.json()["message"]
    fields = {k: v for k, v in example_raw().items() if Q.askable(k)}
    r = post_answers(client, csrf, deal_id, deal.draft_rev, fields, action="save", _head=0, author="古いタブ")
    assert r.status_code == 409 and "第1版として保存しています" in r.json()["message"]
    assert store.get(deal_id) == deal and len(store.versions(deal_id)) == 1


def test_saving_invalid_answers_is_refused_and_stores_nothing(client, store):
    csrf = csrf_of(client)
    deal_id = new_deal(client, csrf)
    before = store.get(deal_id)
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"parties.provider.name": "株式会社テスト"}, action="save",
                     _head=0, author="テスト")
    assert r.status_code == 422 and "保存できません" in r.json()["message"]
    assert store.get(deal_id) == before and store.versions(deal_id) == []
    r = post_answers(client, csrf, deal_id, before.draft_rev, {"parties.provider.name": "株式会社テスト"}, action="save",
                     _head=0, author="")
    assert r.status_code == 422 and "保存者" in r.json()["message"]


def test_japanese_messages_next_to_the_fields_and_the_draft_keeps_what_was_typed(client, store):
    csrf = csrf_of(client)
    deal_id = new_deal(client, csrf)
    rev = store.get(deal_id).draft_rev
    r = post_answers(client, csrf, deal_id, rev, {"deal.term_months": "十二か月", "deal.contract_date": "2027-02-30",
                                                  "parties.provider.name": "\u202etxt.exe"}, section="deal")
    body = r.json()
    assert body["ok"]
    assert body["errors"]["deal.term_months"].startswith("「十二か月」は月数として読めません")
    assert "存在しない日付" in body["errors"]["deal.contract_date"]
    assert all(JAPANESE.search(m) for m in body["errors"].values()), body["errors"]
    # a problem in another section is listed with a link to its field, and counted on the section's tab
    assert "双方向制御文字" in body["problems"] and "?s=parties#f-parties-provider-name" in body["problems"]
    assert body["counts"]["parties"] >= 1 and body["counts"]["deal"] >= 2
    assert store.get(deal_id).draft["deal.term_months"] == "十二か月"  # nothing lost on a reload
    page = client.get(f"/deals/{deal_id}?s=deal").text
    assert 'value="十二か月"' in page and "月数として読めません" in page


def test_without_javascript_the_form_posts_and_comes_back_to_its_section(client, store):
    csrf = csrf_of(client)
    deal_id = new_deal(client, csrf, "hackathon")
    rev = store.get(deal_id).draft_rev
    r = client.post(f"/deals/{deal_id}/answers", follow_redirects=False,
                    data={"csrf_token": csrf, "_rev": str(rev), "_section": "hackathon", "action": "update",
                          "deal.hackathon.prizes[0].rank": "最優秀賞", "deal.hackathon.prizes[0].amount_yen": "30万円"})
    assert r.status_code == 303 and r.headers["location"] == f"/deals/{deal_id}?s=hackathon"
    page = client.get(r.headers["location"]).text
    assert 'value="最優秀賞"' in page and 'name="deal.hackathon.prizes[1].rank"' in page  # and a blank row to add one
    assert 'name="deal.hackathon.prize_payer"' in page  # asked once there is a prize
    assert store.get(deal_id).draft["deal.hackathon.prizes[0].amount_yen"] == "30万円"


# --------------------------------------------------------------------------- escaping


def test_every_value_is_escaped_in_pages_previews_and_exports(client, store):
    from contracts import questions as Q
    from contracts.answers import answers_from_bytes

    csrf = csrf_of(client)
    deal_id = new_deal(client, csrf)
    hostile = '<script>alert(1)</script>"\' & {{ 7*7 }}'
    fields = {k: v for k, v in example_raw().items() if Q.askable(k)}
    fields["parties.provider.name"] = hostile
    fields["deal.program_name"] = "講座\nmodel: hackathon"  # a line break must not end the YAML comment
    r = post_answers(client, csrf, deal_id, store.get(deal_id).draft_rev, fields)
    assert r.json()["errors"] == {}
    preview = r.json()["preview"]
    assert "<script>alert" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39; &amp; {{ 7*7 }}" in preview  # escaped, never evaluated
    r = post_answers(client, csrf, deal_id, r.json()["rev"], fields, action="save", _head=0,
                     author="<b>誰</b>", note="</td><script>x</script>")
    assert r.status_code == 200
    for path in ("/", f"/deals/{deal_id}", f"/deals/{deal_id}/versions"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<script>x" not in page and "<b>誰</b>" not in page
    assert "&lt;b&gt;誰&lt;/b&gt;" in client.get(f"/deals/{deal_id}/versions").text
    exported = client.get(f"/deals/{deal_id}/versions/1/answers.yaml").content
    answers = answers_from_bytes(exported, "export.yaml")
    assert answers.parties.provider.name == hostile
    assert answers.deal.program_name == "講座\nmodel: hackathon" and answers.model == "data_provision"


# --------------------------------------------------------------------------- versions, files, import and export


def test_versions_export_import_and_downloads_with_japanese_file_names(client, store, tmp_path):
    from contracts.answers import answers_from_bytes, load_answers
    from contracts.generate import build_set

    csrf = csrf_of(client)
    deal_id = filled_deal(client, csrf, store)
    page = client.get(f"/deals/{deal_id}/versions").text
    assert "第1版" in page and "テスト 太郎" in page and "初版" in page

    r = client.get(f"/deals/{deal_id}/versions/1/answers.yaml")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="keiyaku-') and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "小売データ分析実践講座_第1版.yaml"
    exported = answers_from_bytes(r.content, "v1.yaml")
    original = load_answers(EXAMPLE)
    assert exported.model_dump() == original.model_dump()

    # the exported file imported again is the same deal, version 1
    r = client.post("/import", data={"csrf_token": csrf, "author": "取込"},
                    files={"file": ("v1.yaml", r.content, "application/yaml")}, follow_redirects=False)
    assert r.status_code == 303
    imported = int(r.headers["location"].rsplit("/", 1)[1])
    v = store.version(imported, 1)
    assert v.author == "取込" and answers_from_bytes(client.get(f"/deals/{imported}/versions/1/answers.yaml").content,
                                                      "x.yaml") == exported

    r = client.get(f"/deals/{deal_id}/versions/1/download/clean.zip")
    assert unquote(r.headers["content-disposition"].split("''")[1]) == "小売データ分析実践講座_第1版_送付用.zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = z.namelist()
    assert names == sorted(names) and all(n.startswith("小売データ分析実践講座_第1版_送付用/") for n in names)
    assert all(i.flag_bits & 0x800 for i in z.infolist())  # UTF-8 names
    assert not any("review/" in n for n in names)
    reference = build_set(original).files
    for n in names:
        name = n.split("/", 1)[1]
        (tmp_path / "got.docx").write_bytes(z.read(n))
        (tmp_path / "want.docx").write_bytes(reference[name])
        assert docx_lines(tmp_path / "got.docx") == docx_lines(tmp_path / "want.docx")
    review = zipfile.ZipFile(io.BytesIO(client.get(f"/deals/{deal_id}/versions/1/download/review.zip").content))
    assert any(n.endswith("review/summary.md") for n in review.namelist())
    assert client.get(f"/deals/{deal_id}/versions/1/download/secret.zip").status_code == 404

    listing = client.get(f"/deals/{deal_id}/versions/1").text
    files = re.findall(r'/files/(\d+)" download>([^<]+)<', listing)
    assert ("0", "01_秘密保持契約書.docx") in files
    r = client.get(f"/deals/{deal_id}/versions/1/files/0")
    assert unquote(r.headers["content-disposition"].split("''")[1]) == "01_秘密保持契約書.docx"
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/deals/{deal_id}/versions/1/files/999").status_code == 404
    assert client.get(f"/deals/{deal_id}/versions/7/files/0").status_code == 404
    assert client.get("/deals/999999/versions/1/files/0").status_code == 404


def test_an_invalid_answers_file_is_refused_in_japanese_and_nothing_is_stored(client, store):
    csrf = csrf_of(client)
    bad = EXAMPLE.read_text(encoding="utf-8").replace("personal_info: statistical", "personal_info: pseudonymized")
    r = client.post("/import", data={"csrf_token": csrf}, files={"file": ("bad.yaml", bad.encode())})
    assert r.status_code == 400 and "取り込めませんでした" in r.text and "data.personal_info" in r.text
    r = client.post("/import", data={"csrf_token": csrf}, files={"file": ("bad.yaml", b"model: [unclosed")})
    assert r.status_code == 400 and "YAML として読めません" in r.text
    r = client.post("/import", data={"csrf_token": csrf}, files={"file": ("bad.yaml", b"\xff\xfe")})
    assert r.status_code == 400 and "UTF-8" in r.text
    assert store.deals() == []


def test_search_finds_deals_by_party_data_and_programme(client, store):
    csrf = csrf_of(client)
    filled_deal(client, csrf, store)
    new_deal(client, csrf, "hackathon")
    assert "小売データ分析実践講座" in client.get("/?q=ひだまり").text
    assert "小売データ分析実践講座" in client.get("/?q=POS 講座").text
    assert "小売データ分析実践講座" not in client.get("/?q=存在しない会社").text
    assert "当たる案件はありません" in client.get("/?q=%25").text  # LIKE wildcards are literal


def test_restore_a_version_into_the_draft(client, store):
    csrf = csrf_of(client)
    deal_id = filled_deal(client, csrf, store)
    deal = store.get(deal_id)
    r = post_answers(client, csrf, deal_id, deal.draft_rev, {"deal.term_months": "60"})
    assert store.get(deal_id).draft["deal.term_months"] == "60"
    r = client.post(f"/deals/{deal_id}/versions/1/restore", data={"csrf_token": csrf, "_rev": str(r.json()["rev"])},
                    follow_redirects=False)
    assert r.status_code == 303
    assert store.get(deal_id).draft["deal.term_months"] == "24"


def test_the_redline_between_two_saved_versions(client, store):
    from web.app import redline_available

    if not redline_available():
        pytest.fail("contracts.redline.build_redline is expected beside the web front end")
    from contracts import questions as Q

    csrf = csrf_of(client)
    deal_id = filled_deal(client, csrf, store)
    fields = {k: v for k, v in example_raw().items() if Q.askable(k)}
    fields["deal.deletion.within_days"] = "90"
    r = post_answers(client, csrf, deal_id, store.get(deal_id).draft_rev, fields, action="save", _head=1, author="乙")
    assert r.status_code == 200, r.text
    page = client.get(f"/deals/{deal_id}/versions").text
    assert "/redline" in page
    r = client.get(f"/deals/{deal_id}/redline?old=1&new=2")
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert any(n.endswith("_変更履歴.docx") for n in z.namelist())
    summary = next(n for n in z.namelist() if n.endswith("redline_summary.md"))
    assert "90" in z.read(summary).decode("utf-8")
    assert client.get(f"/deals/{deal_id}/redline?old=1&new=1").status_code == 400


def test_the_start_page_ranks_models_with_reasons(client):
    page = client.get("/new?goals_asked=1&deal.goals=research&deal.goals=talent&data.personal_info=none&data.know_how=false").text
    assert "共同研究型を推奨します" in page and "目的「研究成果・知的財産」への適合度" in page
    page = client.get("/new?goals_asked=1&deal.constraints.budget_yen=abc").text
    assert "として読めません" in page and "目的を一つ以上選んでください" in page


# --------------------------------------------------------------------------- the command


def test_keiyaku_serve_starts_and_answers_on_loopback(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--data", str(tmp_path)],
                            cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200 and "案件一覧" in r.read().decode("utf-8")
                    break
            except OSError as exc:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stderr.read() if proc.poll() is not None else "no answer") from exc
                time.sleep(0.2)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in err and "keiyaku.sqlite3" in err
    assert (tmp_path / "keiyaku.sqlite3").is_file()
