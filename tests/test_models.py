"""Each model's set carries the clauses its deal needs, read back from the generated Word files."""

from __future__ import annotations

import pytest

from tests.conftest import ARTICLE_HEADING, docx_lines

# (file prefix, headings that must be there, phrases that must be in the text)
EXPECTED = {
    "data_provision": [
        ("01_", ["秘密保持", "目的外使用の禁止", "秘密情報の返還又は廃棄", "差止め", "反社会的勢力の排除"], ["秘密保持契約書"]),
        ("02_", ["提供データの利用許諾", "教材への組込み及び二次利用", "派生データ及び成果物の取扱い", "利用状況の報告及び監査",
                 "提供データの非保証", "損害賠償", "個人情報の取扱い", "再識別等の禁止", "利用終了後の措置", "準拠法及び合意管轄"],
         ["派生データ", "非独占的", "別紙", "受講者", "故意又は重大な過失"]),
        ("03_", ["目的及び適用", "受講資格", "禁止事項", "提供データの消去", "データ提供者の権利", "運営者の責任", "本規約の変更"],
         ["民法第548条の2", "故意又は重大な過失", "附則"]),
        ("04_", ["受講終了時の消去", "生成AIサービス等への入力の禁止", "データ提供者の権利"], ["私は", "受講者誓約書"]),
    ],
    "hackathon": [
        ("02_", ["利用許諾", "参加規約への反映及び参加者の管理", "本プラットフォームにおける提供データの管理", "参加資格",
                 "応募成果物の権利", "結果の報告", "公表", "運営委託料、費用及び賞金", "参加者の個人情報"],
         ["著作者人格権", "30日以内", "賞金", "ロゴ", "競合"]),
        ("03_", ["目的及び適用", "禁止事項", "応募成果物の権利", "提供データの消去", "免責及び責任の制限", "本規約の変更"],
         ["民法第548条の2", "故意又は重大な過失", "著作者人格権", "生成AI", "附則"]),
    ],
    "paid_consulting": [
        ("02_", ["本業務の性質", "委託料及び費用", "学習者の関与及び再委託", "納入物の納入及び検査", "本成果物の知的財産権",
                 "教材としての二次利用"], ["準委任", "検査", "著作権法第27条及び第28条", "学習者"]),
        ("03_", ["本成果物の権利", "免責及び責任の制限"], ["学習プログラム", "故意又は重大な過失"]),
    ],
    "joint_research": [
        ("02_", ["研究題目及び目的", "研究担当者及び参加学生", "研究経費", "学習用データセット及び派生データ", "研究成果の公表",
                 "発明等の届出及び出願", "研究成果の帰属及び利用", "研究代表者の異動等"],
         ["誓約書", "不実施", "30日", "学位論文", "研究計画"]),
        ("03_学生誓約書_01", ["秘密保持", "研究成果に係る権利の承継", "研究成果の公表", "誓約の効力"],
         ["私は", "著作者人格権", "誓約者"]),
    ],
}


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_model_specific_clauses_are_in_the_drafts(example_sets, model):
    for prefix, headings, phrases in EXPECTED[model]:
        [path] = [p for p in example_sets[model].glob("*.docx") if p.name.startswith(prefix)]
        lines = docx_lines(path)
        found = [m.group(2) for m in map(ARTICLE_HEADING.match, lines) if m]
        for heading in headings:
            assert heading in found, (path.name, heading, found)
        text = "\n".join(lines)
        for phrase in phrases:
            assert phrase in text, (path.name, phrase)


def test_every_contract_has_the_closing_and_one_signature_block_per_party(example_sets):
    from tests.conftest import docx_styles

    for folder in example_sets.values():
        for path in folder.glob("0[12]_*.docx"):
            styles = docx_styles(path)
            closing = [t for s, t in styles if s == "末文"]
            assert len(closing) == 1 and ("本書2通" in closing[0] or "電磁的記録" in closing[0]), path.name
            parties = [t for s, t in styles if s == "署名当事者"]
            assert len(parties) == 2, (path.name, parties)


def _texts(model: str, **deal_changes) -> dict[str, str]:
    import io

    import yaml
    from docx import Document as WordDocument

    from contracts.answers import validate_answers
    from contracts.generate import build_set
    from tests.conftest import ROOT

    data = yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))
    for path, value in deal_changes.items():
        node = data["deal"]
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        node[last] = value
    result = build_set(validate_answers(data))
    return {
        name: "\n".join(p.text for p in WordDocument(io.BytesIO(content)).paragraphs)
        for name, content in result.files.items()
        if name.endswith(".docx") and "/" not in name
    }


def test_minors_bring_guardian_consent_into_the_participant_terms():
    assert "法定代理人" not in _texts("hackathon")["03_参加規約.docx"]
    assert "法定代理人" in _texts("hackathon", learners__minors=True)["03_参加規約.docx"]


def test_deliverable_rights_option_changes_the_agreement_and_the_terms():
    licence = _texts("hackathon", hackathon__deliverable_rights="license")
    assign = _texts("hackathon", hackathon__deliverable_rights="assign_winners")
    assert "非独占的" in licence["02_ハッカソンデータ提供契約書.docx"]
    assert "譲渡" in assign["03_参加規約.docx"] and "著作権法第27条及び第28条" in assign["03_参加規約.docx"]
    assert licence["03_参加規約.docx"] != assign["03_参加規約.docx"]


def test_results_ownership_is_the_answer_chosen():
    joint = _texts("joint_research", research__results_owner="joint")["02_共同研究契約書.docx"]
    company = _texts("joint_research", research__results_owner="company")["02_共同研究契約書.docx"]
    assert "共有" in joint and joint != company


def test_work_contract_brings_nonconformity_liability():
    text = _texts("paid_consulting", consulting__contract_type="work")["02_業務委託契約書.docx"]
    assert "請負" in text and "契約不適合" in text
