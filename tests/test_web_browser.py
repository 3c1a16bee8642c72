"""`keiyaku serve` in a real browser: Playwright driving Debian's chromium against a server on a free local port.

The server runs in-process (uvicorn in a thread) on a fresh database; every test uses a fresh browser context
(its own cookies). Chromium comes from Debian (`make test` installs it; nothing is downloaded): if it is missing the
tests fail and say so. With KEIYAKU_SCREENSHOTS=1 the first test writes docs/images/web-form.png for the README.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, docx_lines

CHROMIUM = os.environ.get("KEIYAKU_CHROMIUM", "/usr/bin/chromium")
EXAMPLE = ROOT / "examples" / "data_provision.yaml"
SCREENSHOT = ROOT / "docs" / "images" / "web-form.png"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from contracts.store import Store
    from web.app import create_app
    from web.server import ThreadedServer, warm_up

    warm_up()
    store = Store.open(tmp_path_factory.mktemp("web-data"))
    with ThreadedServer(create_app(store)) as srv:
        srv.store = store
        yield srv


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs Debian's chromium package "
                    "(the browser tests never download a browser)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP", accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def fid(path: str) -> str:
    from web.views import fid as web_fid

    return web_fid(path)


def example_data() -> dict:
    from contracts.answers import parse_text

    return parse_text(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))


def wait_saved(page) -> None:
    """Until the page has sent every change (typing is sent after a short pause) and the server has answered."""
    page.wait_for_function("() => document.getElementById('answers').getAttribute('data-pending') === ''")


def fill_question(page, q, raw: dict) -> None:
    """Answer one question through the page as a person would: type, tick, choose."""
    if q.kind == "group":
        for c in q.children:
            fill_question(page, c, raw)
        return
    if q.kind == "entries":
        for row in q.rows:
            for c in row:
                fill_question(page, c, raw)
        return
    if q.path not in raw:
        return
    value = raw[q.path]
    if q.kind in ("choice", "bool"):
        page.check(f"#{fid(q.path)}-{value or 'none'}")
    elif q.kind == "multi":
        for v in value:
            page.check(f"#{fid(q.path)}-{v}")
    else:
        page.fill(f"#{fid(q.path)}", value)


def fill_section(page, section_key: str, raw: dict) -> None:
    """Every question the section shows for these answers, in order (the form grows as choices are made)."""
    from contracts import questions as Q

    data = example_data()
    section = next(s for s in Q.sections(data["model"]) if s.key == section_key)
    for q in Q.form(section, data):
        fill_question(page, q, raw)
        wait_saved(page)


def open_section(page, key: str) -> None:
    page.click(f"nav.sections a[data-section={key}]")
    page.wait_for_selector(f"nav.sections a[data-section={key}][aria-current=page]")


def test_fill_the_data_provision_example_through_the_page_preview_save_reload_download(server, context, tmp_path):
    from contracts import questions as Q
    from contracts.answers import load_answers
    from contracts.generate import build_set, prepare

    raw = Q.flatten(example_data())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # 1. Start: the goals give a ranking with reasons; the model is picked from it
    page.goto(server.url + "/new")
    page.check("#f-deal-goals-money")
    page.click("text=推奨を見る")
    assert "推奨" in page.inner_text(".verdict")
    assert page.locator(".ranking > li").count() == 4
    page.click("#start-data_provision")
    page.wait_for_url(re.compile(r"/deals/\d+$"))
    deal_url = page.url

    # 2. Ask: every section through the page
    for key in ("parties", "data", "deal", "course"):
        open_section(page, key)
        fill_section(page, key, raw)
    wait_saved(page)

    # 3. Preview: the right articles and a finding
    expected = prepare(load_answers(EXAMPLE))[1]
    page.wait_for_selector("#preview article.doc")
    titles = page.locator("#preview .doc-title").all_inner_texts()
    assert titles == [d.title for d in expected]
    for i, d in enumerate(expected, start=1):
        shown = page.locator(f"#doc-{i} .article h3").all_inner_texts()
        assert shown == [a.heading_line for a in d.articles], d.title
    assert page.locator('#preview [data-rule="know_how_in_learners_hands"]').count() == 1
    assert "重要度「中」" in page.inner_text("#preview .findings")
    page.click("#ann-2-1 summary")  # an annotation on demand
    assert page.locator("#ann-2-1[open]").count() == 1
    assert page.locator("nav.sections .count:visible").count() == 0, page.inner_text("#problems")

    if os.environ.get("KEIYAKU_SCREENSHOTS") == "1":
        open_section(page, "data")
        page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("() => { document.querySelector('#preview .finding details').open = true;"
                      " document.getElementById('preview').scrollTop = 0 }")
        page.screenshot(path=str(SCREENSHOT))

    # 4. Save a version, reload: nothing lost
    page.fill("#author", "佐藤")
    page.fill("#note", "初版（ブラウザから入力）")
    page.click("#save")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('第1版として保存しました')")
    page.reload()
    open_section(page, "parties")
    assert page.input_value(f"#{fid('parties.provider.name')}") == raw["parties.provider.name"]
    assert "第1版まで保存済み" in page.inner_text(".deal-meta")

    # 5. Download the whole set as one zip with a Japanese name, and read the contract in it
    page.click("text=版の一覧・書き出し・ダウンロード")
    assert "佐藤" in page.inner_text("table.versions")
    with page.expect_download() as info:
        page.click("a:has-text('一式（zip）')")
    download = info.value
    assert download.suggested_filename == "小売データ分析実践講座_第1版.zip"
    target = tmp_path / "set.zip"
    download.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    folder = "小売データ分析実践講座_第1版/"
    assert f"{folder}02_データ提供契約書.docx" in names
    assert f"{folder}取締役会付議資料.pdf" in names
    assert f"{folder}review/summary.md" in names
    reference = build_set(load_answers(EXAMPLE)).files
    for name in ("01_秘密保持契約書.docx", "02_データ提供契約書.docx"):
        got = tmp_path / name
        got.write_bytes(zipfile.ZipFile(target).read(folder + name))
        want = tmp_path / ("want_" + name)
        want.write_bytes(reference[name])
        assert docx_lines(got) == docx_lines(want)
    text = "\n".join(docx_lines(tmp_path / "02_データ提供契約書.docx"))
    assert "株式会社ひだまりマート" in text and "第1条" in text
    assert not errors, errors
    assert page.url.startswith(deal_url)


def test_an_invalid_value_shows_the_japanese_message_next_to_its_field(server, context):
    page = context.new_page()
    page.goto(server.url + "/new")
    page.click("#start-hackathon")
    page.wait_for_url(re.compile(r"/deals/\d+$"))
    open_section(page, "deal")
    field = f"#{fid('deal.term_months')}"
    message = f"#e-{fid('deal.term_months')}"
    page.fill(field, "十二か月")
    page.press(field, "Tab")
    wait_saved(page)
    page.wait_for_selector(f"{message}:visible")
    assert "「十二か月」は月数として読めません" in page.inner_text(message)
    assert page.get_attribute(field, "aria-invalid") == "true"
    assert f"e-{fid('deal.term_months')}" in page.get_attribute(field, "aria-describedby")
    # the message sits in the field's own box, right after the input
    assert page.locator(f".field:has({field}) {message}").count() == 1
    page.fill(field, "0")
    page.press(field, "Tab")
    wait_saved(page)
    page.wait_for_function(f"() => document.querySelector('{message}').textContent.includes('1か月以上')")
    page.fill(field, "２４")  # full-width digits are a number
    page.press(field, "Tab")
    wait_saved(page)
    page.wait_for_selector(f"{message}", state="hidden")
    assert page.get_attribute(field, "aria-invalid") is None
    page.reload()  # what was typed is kept
    assert page.input_value(field) == "２４"
    # a list of entries grows as it is filled, and a question that depends on it appears (the form is drawn again,
    # the focus stays where it was)
    open_section(page, "hackathon")
    assert page.locator(f"#{fid('deal.hackathon.prize_payer')}").count() == 0
    page.fill(f"#{fid('deal.hackathon.prizes[0].rank')}", "最優秀賞")
    page.fill(f"#{fid('deal.hackathon.prizes[0].amount_yen')}", "30万円")
    wait_saved(page)
    page.wait_for_selector(f"#{fid('deal.hackathon.prizes[1].rank')}")
    page.wait_for_selector(f"#{fid('deal.hackathon.prize_payer')}")
    assert page.evaluate("document.activeElement.id") == fid("deal.hackathon.prizes[0].amount_yen")
    assert page.input_value(f"#{fid('deal.hackathon.prizes[0].amount_yen')}") == "30万円"


def test_keyboard_only_completion_of_the_parties_section(server, context):
    page = context.new_page()
    page.goto(server.url + "/new")
    page.focus("#start-joint_research")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/deals/\d+$"))

    def tab_to(element_id: str, limit: int = 60) -> None:
        for _ in range(limit):
            if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached #{element_id}")

    def type_into(path: str, text: str) -> None:
        tab_to(fid(path))
        page.keyboard.type(text)

    type_into("parties.provider.name", "株式会社キーボード工機")
    type_into("parties.provider.address", "愛知県名古屋市中区一丁目1番1号")
    type_into("parties.provider.representative.title", "代表取締役")
    type_into("parties.provider.representative.name", "鍵野 打子")
    tab_to(f"{fid('parties.provider.kind')}-corporation")  # the first choice of the group
    page.keyboard.press("Space")
    type_into("parties.recipient.name", "国立大学法人キーボード大学")
    type_into("parties.recipient.address", "東京都文京区本郷七丁目3番1号")
    type_into("parties.recipient.representative.title", "学長")
    type_into("parties.recipient.representative.name", "入力 太郎")
    # the recipient's kind: a national university is the suggested default for joint research, already chosen
    assert page.is_checked(f"#{fid('parties.recipient.kind')}-national_university")
    page.keyboard.press("Tab")
    wait_saved(page)
    page.wait_for_timeout(300)
    wait_saved(page)
    assert page.locator("nav.sections a[data-section=parties] .count").is_hidden()
    assert page.locator("#fields .error:visible").count() == 0
    tab_to("next-section")
    page.keyboard.press("Enter")
    page.wait_for_selector("nav.sections a[data-section=data][aria-current=page]")
    page.reload()
    open_section(page, "parties")
    assert page.input_value(f"#{fid('parties.recipient.representative.name')}") == "入力 太郎"
    assert page.is_checked(f"#{fid('parties.provider.kind')}-corporation")


def test_two_tabs_saving_one_deal_do_not_overwrite_each_other(server, context, tmp_path):
    page = context.new_page()
    page.goto(server.url + "/")
    page.set_input_files("#import-file", str(EXAMPLE))
    page.fill("#import-author", "取込 花子")
    page.click("#import-submit")
    page.wait_for_url(re.compile(r"/deals/\d+$"))
    deal_id = int(page.url.rsplit("/", 1)[1])
    assert "第1版まで保存済み" in page.inner_text(".deal-meta")
    open_section(page, "deal")
    other = context.new_page()
    other.goto(page.url)

    term = f"#{fid('deal.term_months')}"
    page.fill(term, "36")
    page.press(term, "Tab")
    wait_saved(page)
    page.fill("#author", "一番目のタブ")
    page.click("#save")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('第2版として保存しました')")

    # the second tab still shows the state before: its change and its save are refused, with a message
    other.fill(term, "12")
    other.press(term, "Tab")
    other.wait_for_function("() => document.getElementById('status').textContent.includes('別のタブ又は別の人')")
    other.fill("#author", "二番目のタブ")
    other.click("#save")
    other.wait_for_function("() => document.getElementById('status').classList.contains('error')")
    assert "再読み込み" in other.inner_text("#status")
    versions = server.store.versions(deal_id)
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].answers["deal"]["term_months"] == 36
    assert server.store.get(deal_id).draft["deal.term_months"] == "36"

    # after a reload the second tab sees the first tab's version and can save on top of it
    other.reload()
    assert other.input_value(term) == "36"
    other.fill("#note", "確認済み")
    other.fill("#author", "二番目のタブ")
    other.click("#save")
    other.wait_for_function("() => document.getElementById('status').textContent.includes('第3版として保存しました')")
    assert [v.author for v in server.store.versions(deal_id)] == ["二番目のタブ", "一番目のタブ", "取込 花子"]
