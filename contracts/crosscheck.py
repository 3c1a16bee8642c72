"""Answers checked against each other and the calendar before anything is drafted.

A contradiction that would make the draft wrong is refused (``AnswersError``: exit 2, the fields named, in
Japanese). One that a lawyer must decide becomes a finding beside the risk rules' findings. Never silence:
an answer that no clause of the chosen model reads is reported as a warning that names it.
"""

from __future__ import annotations

import datetime as _dt
import re

from jinja2 import nodes

from contracts import conditions, facts, vocabulary
from contracts.answers import Answers, AnswersError
from contracts.library import Library, _answer_paths, text_conditions, text_strings
from contracts.risk import Finding

# Answers read by the engine itself rather than by clause texts.
_ENGINE_READS = (
    "deal.contract_date", "deal.nda_date", "deal.term_months", "deal.fee", "deal.liability_cap",
    "deal.deletion.within_days", "deal.goals", "deal.constraints", "deal.choices", "deal.execution",
    "deal.hackathon.period", "deal.hackathon.report_days", "deal.consulting.period", "deal.consulting.review_days",
    "deal.research.period", "deal.research.direct_cost_yen", "deal.research.indirect_cost_yen",
    "deal.learners.count", "deal.confidentiality_years", "data.items", "data.description", "deal.version",
    "deal.date_style",
)


# What the deal-level review covers, printed with the findings so that "no findings" never stands alone.
CHECKED_TOPICS = (
    "個人情報の区分と第三者提供・外国への提供（個人情報保護法）",
    "データの説明に含まれる個人の属性（提供元基準）",
    "営業秘密・限定提供データとしての保護（不正競争防止法）",
    "受講者・参加者・学生の人数、未成年者、競合事業者、外国居住者",
    "消費者との契約・定型約款（消費者契約法、民法548条の2以下）",
    "生成AIへの入力、終了時の消去と証明",
    "賠償額の上限が確定額であること",
    "公表前の確認、成果・派生データの帰属",
    "中小事業者との取引（取適法、優越的地位の濫用）",
    "契約の性質（請負・準委任）と印紙税",
    "共同研究の成果の帰属、不実施補償、安全保障貿易管理、学生の扱い",
    "回答どうしの整合（日付と期間、対価、要配慮個人情報、使われない回答）",
)


def _d(d: _dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "（未定）"


def refuse_contradictions(answers: Answers) -> None:
    """Answers that contradict each other so that any draft would be wrong: refused before drafting."""
    f = facts.of(answers)
    deal = answers.deal
    problems: list[tuple[str, str]] = []
    if f.nda_date and f.contract_date and f.nda_date > f.contract_date:
        problems.append((
            "deal.nda_date",
            f"秘密保持契約の締結日（{_d(f.nda_date)}）が本契約の締結日（{_d(f.contract_date)}）より後です。"
            "秘密保持契約は本契約に先立って締結するものです。日付を見直してください",
        ))
    if f.program_end and f.contract_date and f.program_end < f.contract_date:
        problems.append((
            "deal.contract_date",
            f"{f.program_term}の期間（{f.program_period_text}）が本契約の締結日（{_d(f.contract_date)}）より前に終わっています。"
            "締結日又は期間を見直してください（既に実施した取組を後から契約にする場合は、締結日を実際の日とし、"
            "効力発生日を遡らせる旨（遡及適用）の条項を弁護士と検討してください）",
        ))
    elif f.program_end and f.term_end and f.program_end > f.term_end:
        problems.append((
            "deal.term_months",
            f"契約期間（{_d(f.contract_date)}から{f.term_months}か月、{_d(f.term_end)}まで）が{f.program_term}の期間"
            f"（{f.program_period_text}）より先に終わります。契約期間を{f.program_term}の終了後まで延ばしてください",
        ))
    elif f.report_due and f.term_end and f.report_due > f.term_end:
        problems.append((
            "deal.term_months",
            f"契約期間（{_d(f.term_end)}まで）が結果の報告期限（{_d(f.report_due)}）より先に終わります。"
            "報告と賞金の支払が契約期間内に収まるよう、契約期間を延ばしてください",
        ))
    if answers.data.sensitive and answers.data.personal_info == "none":
        problems.append((
            "data.sensitive",
            "要配慮個人情報を含む（又は含んでいた情報から作成した）とされていますが、data.personal_info が none"
            "（個人情報を含まない）です。いずれかを見直してください",
        ))
    if answers.model == "paid_consulting" and deal.fee.kind == "free":
        problems.append((
            "deal.fee.kind",
            "有償コンサル型なのに委託料が無償（free）です。委託料を定めるか、他のモデルを選んでください",
        ))
    if deal.liability_cap.kind == "fee" and f.fee_total_yen is None and deal.fee.kind not in ("free",):
        problems.append((
            "deal.liability_cap.kind",
            "賠償額の上限を対価の額（fee）としていますが、対価の総額が回答から定まりません"
            "（売上の一定割合、又は受講者数の見込みのない1名当たりの対価）。上限を定額（fixed）にして金額を記入してください",
        ))
    research = deal.research
    if answers.model == "joint_research" and research is not None and research.non_practice_compensation == "royalty":
        if research.royalty_percent is None or research.in_house_royalty_percent is None:
            problems.append((
                "deal.research.royalty_percent",
                "不実施補償を実施料（royalty）とする場合は、実施料率（royalty_percent）と自己実施の料率"
                "（in_house_royalty_percent。無償なら0）を記入してください。率のない不実施補償は合意になりません",
            ))
    if problems:
        raise AnswersError("answers", problems)


def _finding(rule: str, severity: str, message: str, action: str, basis: tuple[str, ...] = (), clauses=()) -> Finding:
    return Finding(rule=rule, severity=severity, block=False, message=message, action=action,
                   clauses=tuple(clauses), basis=tuple(basis))


def findings(answers: Answers, lib: Library, today: _dt.date | None = None) -> list[Finding]:
    """What a lawyer must decide about the answers themselves (dates, data description, overridden answers)."""
    f = facts.of(answers)
    today = today or _dt.date.today()
    out: list[Finding] = []
    if f.contract_date and f.contract_date < today:
        out.append(_finding(
            "answers_contract_date_past", "中",
            f"締結日（{_d(f.contract_date)}）が本日より前の日です。過去の日付で締結すると、実際には締結前に行われた"
            "データの授受や取組が契約の外に置かれ、又は日付の記載が事実と異なることになります。",
            "実際に署名する日を deal.contract_date に記入してください。既に始まった取組を対象とする場合は、"
            "締結日は実際の日とし、効力を過去の日に遡らせる旨（例: 本契約は、締結日にかかわらず、○年○月○日に遡って適用する。）"
            "の条項を追加するかを弁護士と検討してください。",
        ))
    if f.program_start and f.contract_date and f.program_start < f.contract_date:
        out.append(_finding(
            "answers_program_before_contract", "中",
            f"{f.program_term}の開始日（{_d(f.program_start)}）が本契約の締結日（{_d(f.contract_date)}）より前です。"
            "締結前にデータを渡し、又は取組を始めると、その間の取扱いは秘密保持契約だけに委ねられます。",
            f"締結日を{f.program_term}の開始前にするか、開始日を遅らせてください（{f.program_field}）。",
        ))
    if not f.program_period_readable:
        out.append(_finding(
            "answers_period_unreadable", "低",
            f"{f.program_field}（「{f.program_period_text}」）を日付として読み取れないため、契約期間・報告期限・"
            "消去期限が暦の上で整合するかを確認できませんでした。",
            "期間を「2027年4月1日から2027年9月30日まで」のように日付で記入してください。",
        ))
    hints = f.personal_hints
    if hints and answers.data.personal_info in ("none", "statistical"):
        words = "、".join(dict.fromkeys(h.word for h in hints))
        fields = "、".join(dict.fromkeys(h.field for h in hints))
        label = "個人情報を含まない" if answers.data.personal_info == "none" else "統計情報のみ"
        out.append(_finding(
            "answers_personal_attributes", "高",
            f"data.personal_info は「{label}」とされていますが、データの説明（{fields}）に個人の属性を示す語"
            f"（{words}）があります。個人データに当たるかは提供元である{answers.parties.provider.name}を基準に判断します"
            "（提供元基準）。加工後の項目でも、提供者の手元の元データと容易に照合できれば個人データとなり、"
            "第三者提供には原則として本人の同意が必要です。",
            "項目を削除・置換した方法と提供者側での照合可能性を確認し、個人データに当たるなら data.personal_info を"
            "consented（本人同意）又は anonymized（匿名加工情報）に改め、当たらないなら項目の記載をその根拠が分かるように"
            "書き改めてください。",
            ("個人情報の保護に関する法律第2条第1項", "個人情報の保護に関する法律第27条第1項"),
            ("common_personal_info",),
        ))
    masked = [t for t in answers.data.processing
              if re.search(r"削除|置換|仮番号|マスキング|伏せ", t)
              and (any(w in t for w in facts.PERSONAL_WORDS) or re.search(r"ID|ＩＤ|番号", t))]
    if masked and answers.data.personal_info == "none" and any(
            any(w in t for w in facts.PERSONAL_WORDS) or "会員" in t or "社員" in t for t in masked):
        out.append(_finding(
            "answers_masked_identifiers", "中",
            f"提供前の加工（{'、'.join(masked)}）で個人を特定する項目を削除・置換していますが、"
            f"{answers.parties.provider.name}は元のデータを保有しています。提供元で元データと容易に照合できる場合、"
            "加工後のデータも提供元にとっては個人データであり、「個人情報を含まない」とはいえないことがあります（提供元基準）。",
            "提供者の手元で照合できないこと（対応表を残さない、粒度を粗くする等）を確認するか、統計情報・匿名加工情報として"
            "提供する（data.personal_info）、又は学術研究機関への提供の例外（個人情報保護法第27条第1項第7号）の要件を"
            "確認してください。",
            ("個人情報の保護に関する法律第2条第1項", "個人情報の保護に関する法律第27条第1項"),
            ("common_personal_info",),
        ))
    consulting = answers.deal.consulting
    if (answers.model == "paid_consulting" and consulting is not None and consulting.fee_basis == "performance"
            and answers.deal.fee.due and re.search(r"検査|合格|検収|納入", answers.deal.fee.due)):
        out.append(_finding(
            "answers_fee_basis_mismatch", "中",
            f"委託料を業務の履行に対して支払う履行割合型（deal.consulting.fee_basis: performance）としながら、支払期日を"
            f"「{answers.deal.fee.due}」と納入物の検査に結び付けています。支払の条件が成果の完成に依存すると、"
            "成果完成型（民法第648条の2）又は請負と読まれるおそれがあります。",
            "履行割合型なら月ごと・工程ごとの支払期日に改め、成果に対して支払うなら deal.consulting.fee_basis を outcome にしてください。",
            ("民法第648条", "民法第648条の2"),
            ("cs_fee", "cs_nature"),
        ))
    if f.cap_overridden:
        out.append(_finding(
            "answers_cap_dropped", "中",
            f"deal.liability_cap は対価の額（fee）を上限とする指定ですが、{f.cap_reason}",
            "上限を置く場合は deal.liability_cap を定額（fixed）とし、金額を記入してください。",
            clauses=("common_liability",),
        ))
    ignored = ignored_answers(answers, lib)
    if ignored:
        out.append(_finding(
            "answers_ignored", "低",
            f"次の回答は、{lib.labels.get('model', {}).get(answers.model, answers.model)}の契約書のどの条項にも使われていません: "
            + "、".join(ignored) + "。",
            "意図した内容が契約書に反映されていないおそれがあります。モデルを見直すか、不要な回答を削除してください。",
        ))
    return out


_READ_BY: dict[tuple[int, str], tuple[Library, frozenset[str]]] = {}


def _read_by(lib: Library, model: str) -> frozenset[str]:
    """Every answers path that the model's documents read: texts, conditions, variant choices, repeats.

    It depends only on the library and the model, and parsing every clause text is most of a preview's time,
    so it is computed once per library object and model.
    """
    if model in lib.paths_read:  # the shipped library from contracts.cache: scanned when the cache was built
        return lib.paths_read[model]
    hit = _READ_BY.get((id(lib), model))
    if hit is not None and hit[0] is lib:
        return hit[1]
    paths = paths_read_by(lib, model)
    _READ_BY[(id(lib), model)] = (lib, paths)
    return paths


def paths_read_by(lib: Library, model: str) -> frozenset[str]:
    paths: set[str] = set(_ENGINE_READS)
    texts: list[str] = []
    for doc in lib.documents_for(model):
        paths.update(conditions.fields_used(doc.when))
        if doc.repeat_for:
            paths.add(doc.repeat_for)
        texts.append(doc.preamble)
        for sid in doc.schedules:
            for row in lib.schedules[sid].rows:
                texts += [row.label, row.value]
                paths.update(conditions.fields_used(row.when))
        for cid in doc.articles:
            clause = lib.clauses[cid]
            if model not in clause.models:
                continue
            paths.update(conditions.fields_used(clause.when))
            if clause.choose_by:
                paths.add(clause.choose_by)
            for v in clause.variants:
                for p in v.paragraphs:
                    paths.update(conditions.fields_used(p.when))
                    texts.append(p.text)
                    for it in p.items:
                        paths.update(conditions.fields_used(it.when))
                        texts += [it.text, *it.subitems]
    for text in texts:  # a Text: its strings, and the fields its pieces' conditions read
        for _, cond in text_conditions(text, ""):
            paths.update(conditions.fields_used(cond))
        for s in text_strings(text):
            if "{" in s:
                tree = lib.env.parse(s)
                paths.update(_answer_paths(tree))
                paths.update(f"facts.{n.attr}" for n in tree.find_all(nodes.Getattr)
                             if isinstance(n.node, nodes.Name) and n.node.name == "facts")
    for path in [p for p in paths if p.startswith("facts.")]:  # a fact printed reads the answers it is made of
        paths.update(facts.READS.get(path.removeprefix("facts."), ()))
    return frozenset(paths)


def ignored_answers(answers: Answers, lib: Library) -> list[str]:
    """Answers set in the file that no clause of the model reads (e.g. deal.derived_data in a hackathon)."""
    read = _read_by(lib, answers.model)
    out = []
    for path in sorted(vocabulary.given_paths(answers.data, "data") + vocabulary.given_paths(answers.deal, "deal")):
        if any(r == path or r.startswith(path + ".") or path.startswith(r + ".") for r in read):
            continue
        out.append(path)
    return out
