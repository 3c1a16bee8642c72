"""What changed between two versions of a draft: text diffs, order-keeping alignment, article-level change lists.

Pure functions over strings and document trees (no files, no Word): ``contracts.render.revisions`` turns the
alignment into Word revisions, ``contracts.compare`` uses the same diff and alignment on a returned file, and the
``redline`` command prints the change list made here.

* ``diff_text(old, new)`` gives segments ``("=", text)``, ``("-", text)``, ``("+", text)``: joining ``=`` and ``-``
  gives ``old`` back, joining ``=`` and ``+`` gives ``new`` — the property every revision built from it keeps, so
  that accepting all changes gives the new text and rejecting all gives the old one.
* ``align(old, new, similarity)`` pairs two sequences in order (unchanged elements first, then the most similar
  ones), leaving the rest as deletions and insertions.
* ``diff_documents(old, new)`` lists the articles of two document trees as unchanged, renumbered, changed, added or
  deleted, aligned by clause id, with the annotation of the variant each side uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TypeVar

from contracts.document import FAVOURS_JA, Annotation, Article, Document

T = TypeVar("T")
U = TypeVar("U")
Segment = tuple[str, str]  # ("=" | "-" | "+", text)

# --------------------------------------------------------------------------- text


_TOKEN = re.compile(r"[0-9０-９]+(?:[,，][0-9０-９]{3})*|[A-Za-z]+|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    """Words for diffing: numbers (with thousands separators) and runs of Latin letters stay whole (30 → 90 is one
    replacement, not 3 → 9; 金600,000円 → 金300,000円 replaces the amount);
    every other character (kanji, kana, punctuation) is a token of its own, as Word compares Japanese."""
    return _TOKEN.findall(text)


def diff_text(old: str, new: str) -> list[Segment]:
    """Segments turning ``old`` into ``new``; deletions before insertions at each place, small equal islands
    between two changes folded into them so that a reader sees one change, not a comb of one-character edits."""
    if old == new:
        return [("=", old)] if old else []
    a, b = tokens(old), tokens(new)
    raw: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            raw.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                raw.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                raw.append(("+", "".join(b[j1:j2])))
    return _merge(_fold_islands(_merge(raw)))


def _merge(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments of one kind joined; within a change, the deletion first."""
    out: list[Segment] = []
    for op, text in segments:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    # order each run of changes as deletion then insertion
    result: list[Segment] = []
    i = 0
    while i < len(out):
        if out[i][0] == "=":
            result.append(out[i])
            i += 1
            continue
        j = i
        dels, ins = [], []
        while j < len(out) and out[j][0] != "=":
            (dels if out[j][0] == "-" else ins).append(out[j][1])
            j += 1
        if dels:
            result.append(("-", "".join(dels)))
        if ins:
            result.append(("+", "".join(ins)))
        i = j
    return result


def _fold_islands(segments: list[Segment], limit: int = 2) -> list[Segment]:
    """Semantic clean-up (the rule of diff-match-patch's cleanupSemantic): an equal run between two changes is
    folded into them when it is no longer than the change on either side (or at most ``limit`` characters), so a
    rewritten sentence reads as one deletion and one insertion instead of a comb of fragments."""
    out = list(segments)
    changed = True
    while changed:
        changed = False
        groups = _change_sizes(out)
        for k in range(1, len(out) - 1):
            op, text = out[k]
            if op != "=" or out[k - 1][0] == "=" or out[k + 1][0] == "=":
                continue
            before, after = groups[k]
            if len(text) <= limit or (len(text) <= before and len(text) <= after):
                out[k : k + 1] = [("-", text), ("+", text)]
                out = _merge(out)
                changed = True
                break
    return out


def _change_sizes(segments: list[Segment]) -> dict[int, tuple[int, int]]:
    """For each equal segment: the size of the change just before and just after it (max of deletion, insertion)."""
    sizes: dict[int, tuple[int, int]] = {}
    for k, (op, _) in enumerate(segments):
        if op != "=":
            continue

        def size(rng):
            dels = ins = 0
            for m in rng:
                if segments[m][0] == "=":
                    break
                if segments[m][0] == "-":
                    dels += len(segments[m][1])
                else:
                    ins += len(segments[m][1])
            return max(dels, ins)

        sizes[k] = (size(range(k - 1, -1, -1)), size(range(k + 1, len(segments))))
    return sizes


def old_of(segments: Sequence[Segment]) -> str:
    return "".join(t for op, t in segments if op != "+")


def new_of(segments: Sequence[Segment]) -> str:
    return "".join(t for op, t in segments if op != "-")


def inline_diff(segments: Sequence[Segment], deleted: str = "〔削除：{}〕", inserted: str = "〔追加：{}〕") -> str:
    """One line showing a change in plain text, e.g. 「…から〔削除：30〕〔追加：60〕日以内に…」."""
    return "".join(t if op == "=" else (deleted if op == "-" else inserted).format(t) for op, t in segments)


def markdown_diff(segments: Sequence[Segment]) -> str:
    """The same in Markdown: ~~deleted~~ and **inserted**."""
    out = []
    for op, t in segments:
        t = t.replace("*", "\\*").replace("~", "\\~")
        out.append(t if op == "=" else (f"~~{t}~~" if op == "-" else f"**{t}**"))
    return "".join(out)


def excerpt(segments: Sequence[Segment], context: int = 20, render=inline_diff) -> str:
    """The changed parts of a long paragraph with ``context`` characters around each, 「…」 for what is left out."""
    parts: list[Segment] = []
    n = len(segments)
    for k, (op, t) in enumerate(segments):
        if op != "=":
            parts.append((op, t))
            continue
        head = k > 0
        tail = k < n - 1
        if head and tail and len(t) > 2 * context + 1:
            parts.append(("=", t[:context] + "…" + t[-context:]))
        elif head and not tail and len(t) > context:
            parts.append(("=", t[:context] + "…"))
        elif tail and not head and len(t) > context:
            parts.append(("=", "…" + t[-context:]))
        else:
            parts.append(("=", t))
    return render(parts)


# --------------------------------------------------------------------------- normalisation and similarity

_LEADING_NUMBER = re.compile(
    r"^(?:第[0-9０-９一二三四五六七八九十百]+条(?:の[0-9０-９一二三四五六七八九十]+)?[ 　\t]*"
    r"|[0-9０-９]+[.．、)）]?[ 　\t]+"
    r"|[（(][0-9０-９一二三四五六七八九十]+[）)][ 　\t]*"
    r"|[一二三四五六七八九十]+[ 　\t]+"
    r"|[アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンロ][ 　\t]+)"
)
_REFERENCE_NUMBER = re.compile(r"(第)[0-9０-９]+(条|項|号)")
_SPACE = re.compile(r"\s+")


def normalize(text: str, strip_number: bool = True, references: bool = False) -> str:
    """Text as compared: NFKC (full-width digits, ＡＢ and ｶﾅ become one form), no whitespace, the paragraph's own
    number (「２　」「（3）　」「第5条」) dropped; with ``references``, 「第14条」 becomes 「第#条」 (renumbering)."""
    text = unicodedata.normalize("NFKC", text or "")
    if strip_number:
        text = _LEADING_NUMBER.sub("", text.strip(), count=1)
    text = _SPACE.sub("", text)
    if references:
        text = _REFERENCE_NUMBER.sub(r"\1#\2", text)
    return text


def similarity(a: str, b: str) -> float:
    """0..1, on normalised text (1.0 for equal texts, also two empty ones)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    sm = SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < 0.3 or sm.quick_ratio() < 0.3:
        return sm.quick_ratio() * 0.5
    return sm.ratio()


# --------------------------------------------------------------------------- alignment


def align(
    old: Sequence[T],
    new: Sequence[U],
    key_old: Callable[[T], str],
    key_new: Callable[[U], str],
    score: Callable[[T, U], float] | None = None,
    threshold: float = 0.5,
) -> list[tuple[int | None, int | None]]:
    """Pair two sequences in order: equal keys first (longest matching blocks), then inside each differing stretch
    the pairs that maximise the summed ``score`` (at least ``threshold`` each). Unpaired old elements come before
    unpaired new ones at the same place. Returns (old index | None, new index | None) in reading order."""
    ko = [key_old(x) for x in old]
    kn = [key_new(y) for y in new]
    if score is None:
        def score(x, y):  # noqa: E306 - default: similarity of the keys
            return similarity(key_old(x), key_new(y))
    pairs: list[tuple[int | None, int | None]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ko, kn, autojunk=False).get_opcodes():
        if op == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
        else:
            pairs.extend(_best_pairs(old, new, range(i1, i2), range(j1, j2), score, threshold))
    return pairs


def _best_pairs(old, new, rows: range, cols: range, score, threshold):
    """Order-keeping pairing of old[rows] and new[cols] maximising the summed score (dynamic programming)."""
    n, m = len(rows), len(cols)
    if n == 0 or m == 0:
        return [(i, None) for i in rows] + [(None, j) for j in cols]
    s = [[0.0] * m for _ in range(n)]
    for a in range(n):
        for b in range(m):
            v = score(old[rows[a]], new[cols[b]])
            s[a][b] = v if v >= threshold else float("-inf")
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            options = [(best[a + 1][b], 1), (best[a][b + 1], 2)]
            if s[a][b] != float("-inf"):
                options.append((best[a + 1][b + 1] + s[a][b], 0))
            best[a][b], move[a][b] = max(options, key=lambda o: (o[0], -o[1]))
    out: list[tuple[int | None, int | None]] = []
    a = b = 0
    pend_old: list[int] = []
    pend_new: list[int] = []

    def flush():
        out.extend((i, None) for i in pend_old)
        out.extend((None, j) for j in pend_new)
        pend_old.clear()
        pend_new.clear()

    while a < n or b < m:
        if a == n:
            pend_new.append(cols[b])
            b += 1
        elif b == m:
            pend_old.append(rows[a])
            a += 1
        elif move[a][b] == 0:
            flush()
            out.append((rows[a], cols[b]))
            a += 1
            b += 1
        elif move[a][b] == 1:
            pend_old.append(rows[a])
            a += 1
        else:
            pend_new.append(cols[b])
            b += 1
    flush()
    return out


# --------------------------------------------------------------------------- document trees


def article_lines(article: Article) -> list[str]:
    """An article as its printed lines: heading, paragraphs, items and sub-items (as ``Document.text_lines``)."""
    out = [article.heading_line]
    for p in article.paragraphs:
        out.append(f"{p.number}　{p.text}" if p.number else p.text)
        for it in p.items:
            out.append(f"{it.label}　{it.text}")
            out.extend(f"{s.label}　{s.text}" for s in it.subitems)
    return out


def front_lines(doc: Document) -> list[str]:
    stamp = getattr(doc, "stamp_box", None)
    out = [f"収入印紙（{stamp.amount}）　{stamp.note}"] if stamp else []
    out.append(doc.title)
    if doc.addressee:
        out.append(doc.addressee)
    if doc.preamble:
        out.append(doc.preamble)
    return out


def back_lines(doc: Document) -> list[str]:
    return doc.back_lines()


STATUS_JA = {
    "unchanged": "変更なし",
    "renumbered": "条番号のみ変更",
    "changed": "変更",
    "added": "追加",
    "deleted": "削除",
}


@dataclass(frozen=True)
class LineChange:
    kind: str  # changed | added | deleted
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ArticleChange:
    status: str  # unchanged | renumbered | changed | added | deleted
    clause_id: str
    old: Article | None
    new: Article | None
    lines: tuple[LineChange, ...] = ()  # the changed lines, heading excluded when only its number moved

    @property
    def label(self) -> str:
        """「第5条（秘密保持）」, or 「第5条→第6条（秘密保持）」 when the number moved."""
        o, n = self.old, self.new
        if o and n and o.number != n.number:
            return f"第{o.number}条→第{n.number}条（{n.heading}）"
        a = n or o
        return a.heading_line

    @property
    def annotation(self) -> Annotation:
        return (self.new or self.old).annotation

    @property
    def variant_changed(self) -> bool:
        return bool(self.old and self.new and self.old.variant_id != self.new.variant_id)


@dataclass(frozen=True)
class DocumentDiff:
    file_name: str
    title: str
    old: Document | None
    new: Document | None
    articles: tuple[ArticleChange, ...]
    front: tuple[LineChange, ...]  # title, addressee, preamble
    back: tuple[LineChange, ...]  # 附則, closing, date, signatures, schedules

    @property
    def changed(self) -> list[ArticleChange]:
        return [a for a in self.articles if a.status in ("changed", "added", "deleted")]

    @property
    def renumbered(self) -> list[ArticleChange]:
        return [a for a in self.articles if a.status == "renumbered"]

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.renumbered or self.front or self.back)


def diff_lines(old: Sequence[str], new: Sequence[str]) -> list[LineChange]:
    """Changed, added and deleted lines of two line lists, aligned by similarity (numbers ignored)."""
    out = []
    for i, j in align(old, new, normalize, normalize, threshold=0.45):
        if i is not None and j is not None:
            if old[i] != new[j]:
                out.append(LineChange("changed", tuple(diff_text(old[i], new[j]))))
        elif i is not None:
            out.append(LineChange("deleted", (("-", old[i]),)))
        else:
            out.append(LineChange("added", (("+", new[j]),)))
    return out


def article_pairs(old: Sequence[Article], new: Sequence[Article]) -> list[tuple[int | None, int | None]]:
    """Articles of two versions of one document paired by clause id, in reading order (a moved clause shows as
    deleted where it was and added where it is)."""
    return align(old, new, lambda a: a.clause_id, lambda a: a.clause_id, score=lambda a, b: 0.0, threshold=1.0)


def diff_documents(old: Document | None, new: Document | None) -> DocumentDiff:
    olds = old.articles if old else ()
    news = new.articles if new else ()
    changes = []
    for i, j in article_pairs(olds, news):
        a = olds[i] if i is not None else None
        b = news[j] if j is not None else None
        if a and b:
            body = diff_lines(article_lines(a)[1:], article_lines(b)[1:])
            heading = [] if a.heading == b.heading else diff_lines([a.heading_line], [b.heading_line])
            lines = tuple(heading + body)
            if lines or a.variant_id != b.variant_id:
                status = "changed"
            elif a.number != b.number:
                status = "renumbered"
            else:
                status = "unchanged"
            changes.append(ArticleChange(status, b.clause_id, a, b, lines))
        elif a:
            changes.append(ArticleChange("deleted", a.clause_id, a, None,
                                         tuple(LineChange("deleted", (("-", t),)) for t in article_lines(a))))
        else:
            changes.append(ArticleChange("added", b.clause_id, None, b,
                                         tuple(LineChange("added", (("+", t),)) for t in article_lines(b))))
    base = new or old
    return DocumentDiff(
        file_name=base.file_name,
        title=base.title,
        old=old,
        new=new,
        articles=tuple(changes),
        front=tuple(diff_lines(front_lines(old) if old else [], front_lines(new) if new else [])),
        back=tuple(diff_lines(back_lines(old) if old else [], back_lines(new) if new else [])),
    )


def pair_documents(old: Sequence[Document], new: Sequence[Document]) -> list[tuple[Document | None, Document | None]]:
    """The documents of two sets paired by file name (then by kind), in the new set's order."""
    by_name = {d.file_name: d for d in old}
    by_kind: dict[str, list[Document]] = {}
    for d in old:
        by_kind.setdefault(d.kind, []).append(d)
    used: set[int] = set()
    out: list[tuple[Document | None, Document | None]] = []
    for d in new:
        match = by_name.get(d.file_name)
        if match is None or id(match) in used:
            match = next((o for o in by_kind.get(d.kind, []) if id(o) not in used), None)
        if match is not None:
            used.add(id(match))
        out.append((match, d))
    for d in old:
        if id(d) not in used:
            out.append((d, None))
    return out


# --------------------------------------------------------------------------- the change list


@dataclass(frozen=True)
class RedlineSummary:
    old_label: str
    new_label: str
    author: str
    date: str
    documents: tuple[DocumentDiff, ...] = field(default=())


def _annotation_dict(a: Annotation) -> dict:
    return {
        "summary": a.summary,
        "favours": a.favours,
        "favours_ja": FAVOURS_JA.get(a.favours, a.favours),
        "provider": {"benefit": a.provider.benefit, "risk": a.provider.risk},
        "recipient": {"benefit": a.recipient.benefit, "risk": a.recipient.risk},
        "issue": a.issue,
        "direction": a.direction,
        "references": list(a.references),
    }


def _line_dict(c: LineChange) -> dict:
    return {"kind": c.kind, "old": old_of(c.segments), "new": new_of(c.segments), "diff": inline_diff(c.segments)}


def summary_dict(summary: RedlineSummary, files: dict[str, str]) -> dict:
    """The change list as JSON-ready data; ``files`` maps a document's file name to its redline file."""
    docs = []
    for d in summary.documents:
        articles = []
        for a in d.articles:
            if a.status == "unchanged":
                continue
            item = {
                "status": a.status,
                "status_ja": STATUS_JA[a.status],
                "clause_id": a.clause_id,
                "old": a.old.heading_line if a.old else None,
                "new": a.new.heading_line if a.new else None,
                "old_variant": a.old.variant_id if a.old else None,
                "new_variant": a.new.variant_id if a.new else None,
            }
            if a.status != "renumbered":
                item["lines"] = [_line_dict(c) for c in a.lines]
                item["annotation"] = _annotation_dict(a.annotation)
                if a.variant_changed:
                    item["old_annotation"] = _annotation_dict(a.old.annotation)
            articles.append(item)
        docs.append({
            "title": d.title,
            "file": files.get(d.file_name),
            "status": "added" if d.old is None else "deleted" if d.new is None else "changed" if d.has_changes else "unchanged",
            "old_version": d.old.version_label if d.old else None,
            "new_version": d.new.version_label if d.new else None,
            "counts": {s: sum(a.status == s for a in d.articles) for s in STATUS_JA},
            "articles": articles,
            "front": [_line_dict(c) for c in d.front],
            "back": [_line_dict(c) for c in d.back],
        })
    return {"old_version": summary.old_label, "new_version": summary.new_label, "author": summary.author,
            "date": summary.date, "documents": docs}


def summary_markdown(summary: RedlineSummary, files: dict[str, str]) -> str:
    """The change list for people: per document, each changed article with its diff and its annotation."""
    lines = [
        f"# 変更点一覧（{summary.old_label} → {summary.new_label}）",
        "",
        f"変更履歴の作成者: {summary.author}　日付: {summary.date}",
        "",
        "> 社内検討用。注釈（有利・不利、論点）は相手方に送らないでください。変更履歴付きの Word ファイルは送付できます。",
        "",
    ]
    for d in summary.documents:
        counts = {s: sum(a.status == s for a in d.articles) for s in STATUS_JA}
        name = files.get(d.file_name, d.file_name)
        if d.old is None:
            state = "（新しい文書）"
        elif d.new is None:
            state = "（削除された文書）"
        else:
            state = ""
        lines.append(f"## {d.title}{state}")
        lines.append("")
        lines.append(f"ファイル: `{name}`　変更 {counts['changed']}条・追加 {counts['added']}条・削除 {counts['deleted']}条・"
                     f"条番号のみ変更 {counts['renumbered']}条・変更なし {counts['unchanged']}条")
        lines.append("")
        if not d.has_changes:
            lines.append("変更はありません。")
            lines.append("")
            continue
        if d.old is None or d.new is None:
            verb = "追加" if d.old is None else "削除"
            lines.append(f"文書全体が{verb}されています（{len(d.articles)}条: "
                         + "、".join(a.label for a in d.articles) + "）。")
            lines.append("")
            continue
        for a in d.changed:
            lines.append(f"### {a.label}　【{STATUS_JA[a.status]}】")
            lines.append("")
            if a.variant_changed:
                lines.append(f"- 条項: `{a.clause_id}` {a.old.variant_id}（{FAVOURS_JA[a.old.annotation.favours]}）→ "
                             f"{a.new.variant_id}（{FAVOURS_JA[a.new.annotation.favours]}）")
            else:
                art = a.new or a.old
                lines.append(f"- 条項: `{a.clause_id}` {art.variant_id}（{FAVOURS_JA[art.annotation.favours]}）")
            if a.status == "changed":
                for c in a.lines:
                    lines.append(f"- {'変更' if c.kind == 'changed' else '追加' if c.kind == 'added' else '削除'}: "
                                 f"{excerpt(c.segments, render=markdown_diff)}")
            ann = a.annotation
            lines.append(f"- 概要: {ann.summary}")
            lines.append(f"- 提供者: 利点 {ann.provider.benefit}／リスク {ann.provider.risk}")
            lines.append(f"- 相手方: 利点 {ann.recipient.benefit}／リスク {ann.recipient.risk}")
            lines.append(f"- 論点: {ann.issue}")
            lines.append("")
        if d.renumbered:
            lines.append("条番号のみ変更: " + "、".join(f"第{a.old.number}条→第{a.new.number}条（{a.new.heading}）"
                                                 for a in d.renumbered))
            lines.append("")
        for where, changes in (("前文等", d.front), ("末文・署名欄・別紙", d.back)):
            if changes:
                lines.append(f"{where}の変更:")
                lines.extend(f"- {excerpt(c.segments, render=markdown_diff)}" for c in changes)
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- the whole set, in memory

REDLINE_SUFFIX = "_変更履歴"
SUMMARY_MD = "review/redline_summary.md"
SUMMARY_JSON = "review/redline_summary.json"


@dataclass(frozen=True)
class RedlineSet:
    summary: RedlineSummary
    files: dict[str, bytes]  # relative path -> content
    names: dict[str, str]  # document file name -> its redline file


def default_author(answers) -> str:
    """Who the revisions say made them: the drafting party of the new version (deal.version.drafter), or the new
    version's label (「第2版」) when no drafter is given. Never the tool's name: the counterparty sees it."""
    v = answers.deal.version
    if v.drafter:
        return getattr(answers.parties, v.drafter).name
    return f"第{v.number}版"


def revision_date(answers):
    """The revisions' date: the new version's date (deal.version.date) at 00:00 UTC, or None (no date shown)."""
    import datetime as _dt

    d = answers.deal.version.date
    return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC) if d else None


def build_redline(old_answers, new_answers, author: str | None = None, lib=None) -> RedlineSet:
    """Both versions assembled, every document of the set as a redline DOCX, and the change list (Markdown, JSON):
    all in memory, nothing written. Raises what ``contracts.generate.prepare`` raises for bad answers."""
    import json

    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.render.revisions import render_redline

    lib = lib or default_library()
    old_answers, old_docs, _, _ = prepare(old_answers, lib)
    new_answers, new_docs, _, _ = prepare(new_answers, lib)
    author = author or default_author(new_answers)
    date = revision_date(new_answers)
    diffs = []
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for old, new in pair_documents(old_docs, new_docs):
        d = diff_documents(old, new)
        diffs.append(d)
        name = f"{d.file_name}{REDLINE_SUFFIX}.docx"
        names[d.file_name] = name
        files[name] = render_redline(old, new, author, date)
    old_label = old_docs[0].version_label if old_docs else ""
    new_label = new_docs[0].version_label if new_docs else ""
    summary = RedlineSummary(old_label, new_label, author, date.date().isoformat() if date else "（日付なし）", tuple(diffs))
    files[SUMMARY_MD] = summary_markdown(summary, names).encode("utf-8")
    files[SUMMARY_JSON] = (json.dumps(summary_dict(summary, names), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return RedlineSet(summary, files, names)
