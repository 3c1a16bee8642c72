"""A truthful approval packet (issue 13, items 4 and 5), read back with pdftotext as an approver's copy would be.

* 推奨 is marked only when one model leads; on a tie the packet prints the verdict and marks nothing.
* Every outcome row (derived data, results, deletion, cap) states what the drafted agreement gives: the chosen
  article, cited by number, and the dates and the cap from contracts/facts.py — not what the stance or the answers
  asked for.
* Board text carries no answers paths or values and never says 「回答で指定されていません」.
* Annotations are real footnotes.
* A university or public body as provider gets a 学内決裁 document in its own words (本学, 相手方).
"""

from __future__ import annotations

import copy
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from contracts import facts as deal_facts
from contracts.answers import validate_answers
from contracts.assembly import date_ja
from contracts.generate import prepare
from contracts.library import default_library
from contracts.packet import (
    DELETION_CLAUSES,
    DERIVED_CLAUSES,
    LIABILITY_CLAUSES,
    RESULTS_CLAUSES,
    board_text,
    build_packet,
)
from contracts.recommend import rank, verdict
from contracts.risk import default_riskbook
from tests.conftest import FIXTURES, ROOT, docx_lines

PACKET = "取締役会付議資料.pdf"
UNIVERSITY = FIXTURES / "university_provider.yaml"
ANSWER_PATH = re.compile(r"(?<![A-Za-z0-9_])(?:deal|data|parties)\.[a-z_]+")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def example(model: str) -> dict:
    return copy.deepcopy(load(ROOT / "examples" / f"{model}.yaml"))


def packet_of(data: dict):
    lib, book = default_library(), default_riskbook()
    answers, docs, found, _ = prepare(validate_answers(data), lib, book)
    return answers, docs, build_packet(answers, docs, found, lib, book)


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils must be installed: run `make test`"
    return squash(subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                                 check=True).stdout)


def marks(pdf: Path) -> list[str]:
    """The table cells that hold only 推奨 (the mark under a model's name), read from the laid-out text."""
    out = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if re.match(r"^\s*推奨(\s|$)", line)]


def generate_pdf(tmp_path: Path, data: dict, name: str) -> Path:
    source = tmp_path / f"{name}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(source), "--out", str(tmp_path / name), "--pdf"])
    assert result.exit_code == 0, result.output
    return tmp_path / name


@pytest.fixture(scope="module")
def university(tmp_path_factory):
    folder = generate_pdf(tmp_path_factory.mktemp("university"), load(UNIVERSITY), "university")
    assert not (folder / PACKET).exists()  # a university approves internally: its file says so
    return folder, pdf_text(folder / "学内決裁書.pdf")


@pytest.fixture(scope="module")
def hackathon(tmp_path_factory):
    folder = generate_pdf(tmp_path_factory.mktemp("hackathon"), example("hackathon"), "hackathon")
    return folder, pdf_text(folder / PACKET)


# --------------------------------------------------------------------------- 推奨 only on a lead


def _tied_answers() -> dict:
    """Goals under which two models tie (searched, so that the test follows the profiles in clauses/models.yaml)."""
    book = default_riskbook()
    base = load(UNIVERSITY)
    for n in (1, 2, 3):
        for goals in itertools.combinations(("money", "talent", "pr", "deliverables", "research"), n):
            data = copy.deepcopy(base)
            data["deal"]["goals"] = list(goals)
            if verdict(rank(validate_answers(data), book), book).status == "tie":
                return data
    pytest.fail("no combination of goals gives a tie: see contracts/recommend.py")


def test_a_tie_prints_the_verdict_and_marks_nothing(tmp_path):
    data = _tied_answers()
    answers, _, packet = packet_of(data)
    assert packet.verdict_status == "tie" and not any(m.recommended for m in packet.models)
    pdf = generate_pdf(tmp_path, data, "tie") / packet.approval.file_name  # the university's 学内決裁書
    text = pdf_text(pdf)
    assert squash(packet.verdict_text) in text and "同点" in text
    assert "（推奨）" not in text  # the chart's label
    assert not marks(pdf)  # the table's mark under a model's name


def test_a_lead_is_marked_once(hackathon):
    folder, text = hackathon
    _, _, packet = packet_of(example("hackathon"))
    assert packet.verdict_status == "lead"
    [top] = [m for m in packet.models if m.recommended]
    assert text.count("（推奨）") == 1 and f"{top.label}（推奨）" in text
    assert len(marks(folder / PACKET)) == 1
    assert squash(packet.verdict_text) in text


# --------------------------------------------------------------------------- outcome rows from the drafted clauses


def _variants():
    """Answers that pull each outcome row in different directions: stance, derived-data policy, certificate, cap."""
    for model, stance, derived, certificate, cap in [
        ("data_provision", "recipient", None, True, {"kind": "fee"}),
        ("data_provision", "provider", "recipient", False, {"kind": "none"}),
        ("data_provision", "balanced", "provider", True, {"kind": "fixed", "amount_yen": 1_500_000}),
        ("paid_consulting", "recipient", None, True, {"kind": "fee"}),
        ("paid_consulting", "provider", "shared", False, {"kind": "none"}),
        ("joint_research", "provider", None, True, {"kind": "fixed", "amount_yen": 1_000_000}),
        ("joint_research", "recipient", "provider", True, {"kind": "none"}),
        ("hackathon", "recipient", None, True, {"kind": "fee"}),
        ("hackathon", "provider", None, False, {"kind": "none"}),
    ]:
        data = example(model)
        data["stance"] = stance
        data["deal"].pop("derived_data", None)
        if derived:
            data["deal"]["derived_data"] = derived
        data["deal"]["deletion"]["certificate"] = certificate
        data["deal"]["liability_cap"] = cap
        yield pytest.param(data, id=f"{model}-{stance}-{derived}-{certificate}-{cap['kind']}")


def _row(packet, label: str) -> str:
    [value] = [f.value for f in packet.facts if f.label == label]
    return value


@pytest.mark.parametrize("data", list(_variants()))
def test_every_outcome_row_states_what_the_drafted_agreement_gives(data):
    answers, docs, packet = packet_of(data)
    f = deal_facts.of(answers)
    main_doc = next(d for d in docs if d.kind.endswith("_agreement"))
    by_clause = {a.clause_id: a for a in main_doc.articles}
    style = answers.deal.date_style
    for label, clause_ids in (("派生データ", DERIVED_CLAUSES), ("成果の帰属", RESULTS_CLAUSES),
                              ("終了時のデータの扱い", DELETION_CLAUSES), ("賠償額の上限", LIABILITY_CLAUSES)):
        article = next((by_clause[c] for c in clause_ids if c in by_clause), None)
        if article is None:
            assert label == "派生データ" and answers.model == "hackathon"
            row = _row(packet, label)
            # no clause of its own: the sentence of the agreement that disposes of derived data, cited, or none
            cited = re.search(r"（" + re.escape(main_doc.title) + r"第(\d+)条）", row)
            text = "".join(p.text for a in main_doc.articles for p in a.paragraphs)
            if cited:
                drafted = main_doc.articles[int(cited.group(1)) - 1]
                assert row.split("（" + main_doc.title)[0] in "".join(p.text for p in drafted.paragraphs)
            else:
                assert row == "本件の契約書には、派生データの帰属又は引渡しを定める条項はありません。"
                assert not re.search(r"派生データ(?:に関する権利)?は、[^。]*(?:帰属|引き渡|消去)", text)
            continue
        row = _row(packet, label)
        assert f"（{main_doc.title}{article.label}）" in row, (label, row)
        assert board_text(article.annotation.summary) in row, (label, article.variant_id)
    deletion = _row(packet, "終了時のデータの扱い")
    if f.deletion_deadline:
        assert f"{date_ja(f.deletion_deadline, style)}が期限" in deletion
    drafted_deletion = by_clause["common_post_termination"]
    if drafted_deletion.variant_id == "recipient" and answers.deal.deletion.certificate:
        # the answers asked for a certificate; the drafted recipient-side clause gives a written notice
        assert "書面通知" in deletion and "証明書を提出" not in deletion
    cap = _row(packet, "賠償額の上限")
    if f.has_cap:
        assert f.cap_text in cap and "上限なし" not in cap
    else:
        assert cap.startswith("上限なし。")
    derived = _row(packet, "派生データ")
    policy_point = [p for p in packet.open_points if p.startswith("派生データの扱いについて方針が決まっていない")]
    if answers.deal.derived_data is None and any(c in by_clause for c in DERIVED_CLAUSES):
        assert len(policy_point) == 1 and derived.split("（")[0] in policy_point[0]
    else:
        assert not policy_point


def test_outcome_rows_in_the_pdf_match_the_generated_contract(tmp_path):
    data = example("data_provision")
    data["stance"] = "recipient"
    data["deal"].pop("derived_data")
    folder = generate_pdf(tmp_path, data, "dp")
    text = pdf_text(folder / PACKET)
    answers, docs, packet = packet_of(data)
    main_doc = next(d for d in docs if d.kind == "data_provision_agreement")
    lines = docx_lines(folder / f"{main_doc.file_name}.docx")
    for label in ("派生データ", "成果の帰属", "終了時のデータの扱い", "賠償額の上限"):
        row = _row(packet, label)
        number = int(re.search(r"第(\d+)条）", row).group(1))
        heading = main_doc.articles[number - 1].heading_line
        assert heading in lines, (label, heading)  # the cited article is in the Word draft under that number
        assert squash(row)[:60] in text and squash(row)[-40:] in text, label
    assert "書面通知" in squash(_row(packet, "終了時のデータの扱い"))


# --------------------------------------------------------------------------- board wording


def _board_strings(packet) -> list[str]:
    out = [packet.verdict_text, packet.ranking_basis, *packet.open_points]
    out += [f"{f.label}{f.value}" for f in packet.facts]
    out += [f"{x.message}{x.action}" for x in packet.findings]
    out += [m.note for m in packet.models]
    out += [n for notes in packet.notes for n in notes]
    return out


@pytest.mark.parametrize("start", [0, 1, 2, 3])
def test_board_text_never_shows_answer_keys(start):
    from tests.test_matrix import combination

    for i in range(start, 240, 12):
        answers, docs, packet = packet_of(combination(i))
        for s in _board_strings(packet):
            assert not ANSWER_PATH.search(s), (i, s)
            assert "回答で指定されていません" not in s and "回答では" not in s, (i, s)
            assert not re.search(r"（(?:fee|fixed|none|true|false|shared|provider|recipient)）", s), (i, s)


def test_the_packet_pdf_has_no_answer_keys_and_phrases_open_facts_for_a_board(tmp_path):
    data = example("paid_consulting")
    data["deal"].pop("contract_date")
    data["deal"].pop("nda_date", None)
    data["deal"].pop("derived_data", None)
    text = pdf_text(generate_pdf(tmp_path, data, "open") / PACKET)
    assert not ANSWER_PATH.search(text)
    assert "回答で指定されていません" not in text and "回答では" not in text
    assert "契約締結日が決まっていません" in text and "締結日は未定" in text


# --------------------------------------------------------------------------- footnotes


def test_annotations_are_footnotes(hackathon):
    _, text = hackathon
    _, docs, packet = packet_of(example("hackathon"))
    assert "【注】" not in text
    first = docs[0].articles[0]
    assert f"{first.heading_line}注1" in text  # the call right after the heading
    assert "注1" + squash(packet.notes[0][0])[:30] in text  # the note, numbered, at the foot of the page
    assert squash(packet.notes[0][-1])[:30] in text


# --------------------------------------------------------------------------- universities: 学内決裁


def test_a_university_provider_gets_a_gakunai_kessai_in_its_own_words(university):
    _, text = university
    answers, _, packet = packet_of(load(UNIVERSITY))
    assert packet.approval.kind == "university" and packet.approval.own == "本学"
    assert packet.title == "データ提供に関する学内決裁書" in text
    for needle in ("起案の概要", "件名", "起案日", "起案者", "起案", "審査", "決裁", "決裁日", "決裁の条件",
                   "本学の目的", "相手方", "学内限り", "決裁を求める", "決裁に当たり判断すべき事項"):
        assert needle in text, needle
    for wrong in ("取締役会", "当社", "社外秘", "承認を求める", "決議日"):
        assert wrong not in text, wrong
    # The packet's own pages (cover to the approval block) speak as the university; the annotations of the
    # attached drafts are the clause library's words about either party.
    own_pages = text[: text.index("決裁の条件:")]
    for quoted in [f.value for f in packet.facts] + list(packet.open_points):  # rows quote the drafted articles
        own_pages = own_pages.replace(squash(quoted), "")
    assert "自社" not in own_pages and "提供者の目的" not in own_pages
    assert f"甲:{answers.parties.provider.name}（本学）／乙:{answers.parties.recipient.name}（相手方）" in text


def test_the_university_packet_writes_dates_in_the_era_of_its_answers(university):
    _, text = university
    assert "締結予定日:令和9年4月1日" in text and "令和9年4月1日から令和11年3月31日まで" in text
    assert "2027年4月1日" not in text


@pytest.mark.parametrize("kind, own, title", [
    ("public_university", "本学", "データ提供に関する学内決裁書"),
    ("private_university", "本学", "データ提供に関する学内決裁書"),
    ("public_body", "本機関", "データ提供に関する決裁書"),
    ("corporation", "当社", "データ提供に関する取締役会付議資料"),
])
def test_who_approves_follows_the_provider(kind, own, title):
    data = load(UNIVERSITY)
    data["parties"]["provider"]["kind"] = kind
    _, _, packet = packet_of(data)
    assert (packet.approval.own, packet.title) == (own, title)
    assert f"{own}の目的" in packet.ranking_basis
    stamps = packet.approval.stamps
    assert stamps == (("起案", "審査（法務）", "承認") if kind == "corporation" else ("起案", "審査", "決裁"))
    own_words = [packet.ranking_basis, *(f.label for f in packet.facts), *(x.message + x.action for x in packet.findings),
                 packet.approval.request, *(f.label for f in packet.approval.header_rows)]
    for s in own_words:
        assert "自社" not in s, s


def test_a_company_packet_is_still_a_board_packet(hackathon):
    _, text = hackathon
    for needle in ("データ提供に関する取締役会付議資料", "付議事項の概要", "取締役会で決定すべき事項", "承認を求める",
                   "決議日", "当社の目的", "社外秘"):
        assert needle in text, needle
    assert "学内" not in text and "本学" not in text
