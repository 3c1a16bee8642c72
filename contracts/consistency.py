"""Checks of meaning over an assembled document set: does the set agree with itself and with the facts?

Each check is a small function over the documents (the text a reader sees) and the deal facts, and returns
problems naming the document and article. ``keiyaku check`` prints them; the test suite runs them over a
matrix of answers. Form checks (numbering, references) live in the assembler and the library lint.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from contracts import facts as deal_facts
from contracts.answers import Answers
from contracts.document import Article, Document
from contracts.library import Library


@dataclass(frozen=True)
class Problem:
    check: str
    document: str  # the document's title and file name
    article: str  # 第N条（見出し）, or "" for the whole document
    message: str

    def line(self) -> str:
        where = f"{self.document} {self.article}".strip()
        return f"[{self.check}] {where}: {self.message}"


# The programme has one name per set (facts.PROGRAM_TERM); any other member of this group defined in a set is a
# second name for the same thing.
PROGRAM_TERMS = ("本取組", "本プログラム", "本ハッカソン", "本共同研究", "本講座")
SYNONYMS = (("応募成果物", "本成果物"),)

_DEFINITION = re.compile(r"(?:以下(?:単に)?|以下総称して|以下これらを総称して)「([^「」]{1,20})」(?:という|といいます|と総称する)")
_MEANS = re.compile(r"「([^「」]{1,20})」とは")
_POST_TERMINATION = re.compile(
    r"(本契約|本規約|本誓約書)?の?(終了後|終了した後|終了の日から|終了した日から|終了した場合であっても|終了時|終了したとき|終了に際し|"
    r"期間満了後|満了後|終了の後)"
)
_PAID_SO_FAR = re.compile(r"現に支払|支払済み|既に支払った|受領済み")
_NO_CAP_CLAIM = re.compile(r"上限(は|も)?(ありません|ない|置きません|定めていません|設けません)")


def _doc_text(d: Document) -> str:
    return "\n".join(d.text_lines())


def _name(d: Document) -> str:
    return f"{d.title}（{d.file_name}）"


def _is_main(d: Document) -> bool:
    return d.kind != "nda" and len(d.signatures) >= 2


def _is_flow_down(d: Document) -> bool:
    return not d.signatures or d.addressee != "" or d.kind.endswith(("terms", "pledge"))


# --------------------------------------------------------------------------- defined terms


def definitions(text: str) -> set[str]:
    return set(_DEFINITION.findall(text)) | set(_MEANS.findall(text))


def _uses(text: str, term: str, longer: list[str]) -> int:
    masked = text
    for t in longer:
        masked = masked.replace(t, "\u3000" * len(t))
    return masked.count(term)


def check_terms(documents: list[Document], f: deal_facts.Facts) -> list[Problem]:
    out: list[Problem] = []
    defined_in: dict[str, list[Document]] = {}
    per_doc: dict[str, set[str]] = {}
    for d in documents:
        terms = definitions(_doc_text(d))
        per_doc[d.file_name] = terms
        for t in terms:
            defined_in.setdefault(t, []).append(d)
    party_shorts = {s.short_name for d in documents for s in d.signatures}
    all_terms = sorted(defined_in, key=len, reverse=True)
    for d in documents:
        text = _doc_text(d)
        own = per_doc[d.file_name]
        for t in all_terms:
            if t in party_shorts or len(t) < 2:
                continue
            longer = [u for u in all_terms if len(u) > len(t) and t in u]
            n = _uses(text, t, longer)
            if t in own:
                if n <= 1:
                    out.append(Problem("terms", _name(d), "", f"「{t}」を定義していますが、定義のほかに使っていません"))
            elif n and t.startswith("本"):
                others = "、".join(_name(x) for x in defined_in[t])
                out.append(Problem(
                    "terms", _name(d), "",
                    f"「{t}」を定義せずに使っています（定義があるのは{others}）",
                ))
    defined = set(defined_in)
    programme = [t for t in PROGRAM_TERMS if t in defined]
    if programme and programme != [f.program_term]:
        out.append(Problem(
            "terms", "文書一式", "",
            f"取組の呼び方が一つではありません（{'、'.join(programme)}）。{f.program_term}に統一してください",
        ))
    for group in SYNONYMS:
        present = [t for t in group if t in defined]
        if len(present) > 1:
            out.append(Problem("terms", "文書一式", "", f"同じものを複数の語で定義しています（{'、'.join(present)}）"))
    return out


# --------------------------------------------------------------------------- survival


def check_survival(documents: list[Document], lib: Library) -> list[Problem]:
    """An article that imposes duties after the contract ends must be in the survival list (clause metadata)."""
    out = []
    for d in documents:
        if not any("なお効力を有する" in a.text() for a in d.articles):
            continue
        for a in d.articles:
            clause = lib.clauses.get(a.clause_id)
            if clause is None or clause.survives:
                continue
            text = a.text()
            if "なお効力を有する" in text:
                continue  # the survival article itself
            m = _POST_TERMINATION.search(text)
            if m and "有効期間" not in a.heading and "期間" != a.heading:
                out.append(Problem(
                    "survival", _name(d), a.heading_line,
                    f"契約の終了後の義務・効果を定めています（「{m.group()}」）が、存続条項に含まれていません"
                    f"（条項 {a.clause_id} に survives: true が必要です）",
                ))
    return out


# --------------------------------------------------------------------------- the NDA comes first


def check_nda_link(documents: list[Document], f: deal_facts.Facts) -> list[Problem]:
    nda = next((d for d in documents if d.kind == "nda"), None)
    if nda is None:
        return []
    out = []
    if f.nda_date and f.contract_date and f.nda_date > f.contract_date:
        out.append(Problem("nda", _name(nda), "", "秘密保持契約の日付が本契約より後です"))
    from contracts.assembly import date_ja

    cited = f"{date_ja(f.nda_date, nda.date_style)}付け"
    for d in documents:
        if not _is_main(d):
            continue
        text = _doc_text(d)
        if nda.title not in text or cited not in text:
            out.append(Problem(
                "nda", _name(d), "",
                f"{nda.title}を日付（{cited}）と表題で特定して引用していません",
            ))
        if "本実施契約" in _doc_text(nda) and "本実施契約" not in text:
            out.append(Problem(
                "nda", _name(d), "",
                f"{nda.title}にいう「本実施契約」が本契約であることを定めていません",
            ))
    return out


# --------------------------------------------------------------------------- money


def check_cap(documents: list[Document], f: deal_facts.Facts) -> list[Problem]:
    out = []
    for d in documents:
        for a in d.articles:
            text = a.text()
            if "上限" in text and _PAID_SO_FAR.search(text):
                out.append(Problem(
                    "cap", _name(d), a.heading_line,
                    "賠償額の上限を支払済みの額で定めています。支払前には上限がゼロになるため、確定額で定めてください",
                ))
            if a.clause_id == "common_liability":
                if f.has_cap and f"金{f.cap_yen:,}円" not in text:
                    out.append(Problem("cap", _name(d), a.heading_line, f"上限額（{f.cap_text}）が条文に書かれていません"))
                if not f.has_cap and "上限とする" in text:
                    out.append(Problem("cap", _name(d), a.heading_line, "上限を置かない回答なのに、条文に上限があります"))
    return out


# --------------------------------------------------------------------------- periods


_YEARS_AFTER = re.compile(r"終了(?:後|した後|の日から)(?:も)?([0-9]+)年")
_DAYS = re.compile(r"([0-9]+)日以内")


def _deletion_articles(d: Document) -> list[Article]:
    return [a for a in d.articles if re.search(r"消去|廃棄|返還|終了後の措置|終了時の措置", a.heading)]


def check_periods(documents: list[Document], f: deal_facts.Facts) -> list[Problem]:
    out = []
    mains = [d for d in documents if _is_main(d)]
    # Confidentiality after the end: the same number of years in the NDA and the main agreement; a flow-down
    # document never shorter (looser) than the agreement it serves.
    years: dict[str, set[int]] = {}
    for d in documents:
        for a in d.articles:
            if "秘密" in a.heading:
                years.setdefault(d.file_name, set()).update(int(y) for y in _YEARS_AFTER.findall(a.text()))
    main_years = set().union(*(years.get(d.file_name, set()) for d in mains + [x for x in documents if x.kind == "nda"])) \
        if mains else set()
    if len(main_years) > 1:
        out.append(Problem(
            "periods", "文書一式", "",
            f"秘密保持義務の存続期間が文書により異なります（{'、'.join(f'{y}年' for y in sorted(main_years))}）",
        ))
    for d in documents:
        if not _is_flow_down(d):
            continue
        mine = years.get(d.file_name, set())
        if main_years and mine and min(mine) < max(main_years):
            out.append(Problem(
                "periods", _name(d), "",
                f"秘密保持義務の存続期間（{min(mine)}年）が本契約（{max(main_years)}年）より短く、義務が緩くなっています",
            ))
    # Deletion: a flow-down document never keeps the data longer than the agreement it serves, and the agreement
    # counts from the end of use when the term outlasts it.
    main_days = [int(n) for d in mains for a in _deletion_articles(d) for n in _DAYS.findall(a.text())]
    for d in documents:
        if not _is_flow_down(d) or not main_days:
            continue
        for a in _deletion_articles(d):
            for n in _DAYS.findall(a.text()):
                if int(n) > max(main_days):
                    out.append(Problem(
                        "periods", _name(d), a.heading_line,
                        f"消去の期限（{n}日以内）が本契約（{max(main_days)}日以内）より長くなっています",
                    ))
    if f.deletion_from_use:
        for d in mains:
            arts = _deletion_articles(d)
            if arts and not any(f.use_end_event in a.text() for a in arts):
                out.append(Problem(
                    "periods", _name(d), arts[0].heading_line,
                    f"契約期間がデータの利用の終了後も続くのに、消去の期限を{f.use_end_event}から数えていません",
                ))
    return out


# --------------------------------------------------------------------------- flow-down permissions


_RESERVED_ACTION = re.compile(r"持ち出|第三者に開示|第三者への開示|研究室の外|外部に|公表|公開")
_PARENTHESES = re.compile(r"（[^（）]*）")
_PERMISSION = re.compile(r"([^、。（）「」]{1,20}?)の(?:事前の)?(?:書面による)?(?:許可|承諾|承認|同意)")


def check_permissions(documents: list[Document], answers: Answers) -> list[Problem]:
    """A pledge or terms never let someone other than the provider permit what the provider reserved."""
    out = []
    provider_names = {answers.parties.provider.name, "データ提供者", "提供者", "共同研究先"} | {
        s.short_name for d in documents for s in d.signatures[:1]
    }
    for d in documents:
        if not _is_flow_down(d):
            continue
        for a in d.articles:
            for sentence in re.split(r"(?<=。)", a.text()):
                if not _RESERVED_ACTION.search(sentence):
                    continue
                sentence = _PARENTHESES.sub("", _PARENTHESES.sub("", sentence))
                # a person's consent to their own particulars (本人の同意) is not a permission over the data
                grantors = [m.group(1) for m in _PERMISSION.finditer(sentence)
                            if not re.search(r"本人|参加者|受講者|学生|学習者|保護者|親権者", m.group(1))]
                if grantors and not any(any(p in g for p in provider_names) for g in grantors):
                    out.append(Problem(
                        "permissions", _name(d), a.heading_line,
                        f"データ提供者の承諾を要する行為を、{grantors[0]}の許可だけで認めています",
                    ))
    return out


# --------------------------------------------------------------------------- annotations bound to the text


_NUMBER_UNIT = re.compile(r"([0-9][0-9,]*)(日以内|日間|か月|年間|年以内|%|％)")


def check_annotations(documents: list[Document], f: deal_facts.Facts) -> list[Problem]:
    out = []
    for d in documents:
        doc_text = _doc_text(d)
        for a in d.articles:
            note = a.annotation
            claim = note.summary
            for m in _NUMBER_UNIT.finditer(claim):
                if m.group(0) not in doc_text and m.group(1) + m.group(2).replace("％", "%") not in doc_text:
                    out.append(Problem(
                        "annotations", _name(d), a.heading_line,
                        f"注釈が「{m.group(0)}」と述べていますが、文書にその定めがありません",
                    ))
            for text in (note.summary, note.provider.benefit, note.provider.risk, note.recipient.benefit,
                         note.recipient.risk):
                if _NO_CAP_CLAIM.search(text) and f.has_cap and a.clause_id in ("common_liability", "nda_damages"):
                    if a.clause_id == "common_liability":
                        out.append(Problem(
                            "annotations", _name(d), a.heading_line,
                            f"注釈が上限はないと述べていますが、賠償額の上限（{f.cap_text}）があります",
                        ))
            if re.search(r"上限(は|を)[^。]{0,30}(とします|です)", note.summary) and a.clause_id == "common_liability" \
                    and not f.has_cap:
                out.append(Problem("annotations", _name(d), a.heading_line, "注釈が上限を述べていますが、条文に上限がありません"))
    return out


# --------------------------------------------------------------------------- the whole set


def check_text_hygiene(documents: list[Document]) -> list[Problem]:
    out = []
    for d in documents:
        for line in d.text_lines():
            if re.search(r"〇〇|○○|TODO|None|\{\{|\{%", line):
                out.append(Problem("text", _name(d), "", f"未記入又はテンプレートの残り: {line[:40]}"))
            if any(unicodedata.category(c) == "Co" for c in line):
                out.append(Problem("text", _name(d), "", "私用領域の文字があります"))
    return out


def check_sources(documents: list[Document], lib: Library, f: deal_facts.Facts) -> list[Problem]:
    """Every provision the annotations cite is in force on the contract date (the registry's dates)."""
    if f.contract_date is None:
        return []
    from contracts.sources import sources_in_force_problems

    return [Problem("sources", "文書一式", "", line)
            for line in sources_in_force_problems(f.contract_date, documents, (), lib=lib)]


CHECKS: tuple[tuple[str, Callable], ...] = (
    ("terms", lambda docs, a, lib, f: check_terms(docs, f)),
    ("survival", lambda docs, a, lib, f: check_survival(docs, lib)),
    ("nda", lambda docs, a, lib, f: check_nda_link(docs, f)),
    ("cap", lambda docs, a, lib, f: check_cap(docs, f)),
    ("periods", lambda docs, a, lib, f: check_periods(docs, f)),
    ("permissions", lambda docs, a, lib, f: check_permissions(docs, a)),
    ("annotations", lambda docs, a, lib, f: check_annotations(docs, f)),
    ("text", lambda docs, a, lib, f: check_text_hygiene(docs)),
    ("sources", lambda docs, a, lib, f: check_sources(docs, lib, f)),
)


def check_set(answers: Answers, documents: list[Document], lib: Library, only: set[str] | None = None) -> list[Problem]:
    """Every problem of meaning in the set, in check order."""
    f = deal_facts.of(answers)
    out: list[Problem] = []
    for name, fn in CHECKS:
        if only is None or name in only:
            out += fn(documents, answers, lib, f)
    return out
