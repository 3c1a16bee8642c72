"""Issue 13, item 6: moving through `keiyaku init` — back (戻る), progress (n/N), the summary before writing, labels as
answers and the recommendation first when the user does not know the model."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from contracts.answers import load_answers
from tests.test_interview import ASKED, SCRIPTS, asked, expected

NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
PROGRESS = re.compile(r"^【(.+?)】（(\d+)/(\d+)）", re.MULTILINE)


def run(tmp_path: Path, answers: list[str], model: str, *options: str, out: str = "answers.yaml"):
    """`keiyaku [OPTIONS] init --model MODEL`, typing ``answers`` (one per line)."""
    target = tmp_path / out
    result = CliRunner().invoke(main, [*options, "init", "--model", model, "--out", str(target)],
                                input="".join(f"{a}\n" for a in answers), env=NO_LOCALE)
    return result, target


def typed(script: list) -> list[str]:
    return [answer for _, answer in script]


def test_back_returns_to_the_previous_question_with_its_answer_as_the_default(tmp_path):
    script = list(SCRIPTS["data_provision"])
    i = script.index(("deal.term_months", ""))
    # 24 months, then 戻る at the fee kind: the term is asked again (24 offered), changed to 36
    script[i:i + 1] = [("deal.term_months", "24"), ("deal.fee.kind", "戻る"), ("deal.term_months", "36")]
    result, target = run(tmp_path, typed(script) + [""], "data_provision")
    assert result.exit_code == 0, result.output
    assert asked(result.output) == expected(script)
    assert "回答 [24]: 36" in result.output  # the answer taken back is the default
    assert load_answers(target).deal.term_months == 36


def test_back_at_the_first_question_says_so_and_asks_it_again(tmp_path):
    result, target = run(tmp_path, ["戻る"], "data_provision")
    assert "これより前の質問はありません" in result.output
    assert asked(result.output)[:2] == ["stance", "stance"]
    assert result.exit_code == 1 and not target.exists()  # end of input: nothing written


def test_back_inside_a_list_of_entries(tmp_path):
    script = list(SCRIPTS["hackathon"])
    i = script.index(("deal.hackathon.prizes[0].amount_yen", "300000"))
    script[i:i + 1] = [("deal.hackathon.prizes[0].amount_yen", "back"),  # English works too
                       ("deal.hackathon.prizes[0].rank", "優秀賞"), ("deal.hackathon.prizes[0].amount_yen", "30万円")]
    result, target = run(tmp_path, typed(script) + [""], "hackathon")
    assert result.exit_code == 0, result.output
    assert asked(result.output) == expected(script)
    prizes = load_answers(target).deal.hackathon.prizes
    assert [(p.rank, p.amount_yen) for p in prizes] == [("優秀賞", 300000)]


def test_every_question_shows_its_number_and_the_expected_total(tmp_path):
    result, _ = run(tmp_path, typed(SCRIPTS["data_provision"]) + [""], "data_provision")
    assert result.exit_code == 0, result.output
    shown = [(path, int(n), int(total)) for path, n, total in PROGRESS.findall(result.output)]
    assert [n for _, n, _ in shown] == list(range(1, len(shown) + 1))  # one number per question, in order
    assert len(shown) == len(ASKED.findall(result.output))
    assert all(n <= total for _, n, total in shown)
    assert shown[-1][1] == shown[-1][2] == len(shown)  # the last question is n/n
    assert abs(shown[0][2] - len(shown)) <= 5  # the first estimate is close to what was asked


def test_the_summary_lists_every_answer_and_one_can_be_changed_by_number(tmp_path):
    script = SCRIPTS["data_provision"]
    # at the summary: 3 (the provider's name) is asked again, then Enter writes the file
    result, target = run(tmp_path, typed(script) + ["3", "株式会社テスト商事ホールディングス", ""], "data_provision")
    assert result.exit_code == 0, result.output
    summary = result.output[result.output.index("■ 回答の一覧"):]
    assert "   3. 提供者の正式名称（parties.provider.name）: 株式会社テスト商事\n" in summary
    assert "相手方の種別（parties.recipient.kind）: corporation（会社）" in summary
    assert "対価の金額（円）（deal.fee.amount_yen）: 500,000円" in summary
    assert "受講者がデータそのものを受け取るか（deal.learners.receive_raw_data）: いいえ" in summary
    assert summary.count("■ 回答の一覧") == 2  # shown again after the change
    assert load_answers(target).parties.provider.name == "株式会社テスト商事ホールディングス"
    # the summary comes before the file is written, and a wrong choice there is explained
    bad, target = run(tmp_path, typed(script) + ["999"], "data_provision", out="b.yaml")
    assert bad.exit_code == 1 and "1〜54 の番号" in bad.output and not target.exists()


def test_english_interview_through_the_global_option(tmp_path):
    result, _ = run(tmp_path, typed(SCRIPTS["paid_consulting"]) + [""], "paid_consulting", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "What is the full legal name?" in result.output and "■ Your answers" in result.output
    assert re.search(r"【stance】\(1/\d+\)", result.output)
    assert "provider's legal name (parties.provider.name): 株式会社テスト商事" in result.output
