"""The review copy: the clean draft plus one Word comment per article carrying its annotation.

Annotations go into a separate file so that the clean copy sent to the counterparty can never carry an
internal note. Author, initials and date are fixed so the review copy is byte-identical for the same answers.
"""

from __future__ import annotations

import datetime as _dt

from contracts.document import FAVOURS_JA, Article, Document
from contracts.render.docx import fit_property, reopen, save_docx

AUTHOR = "keiyaku レビュー"
INITIALS = "KR"
COMMENT_DATE = _dt.datetime(2000, 1, 1, 0, 0, 0, tzinfo=_dt.timezone.utc)
HEADING_STYLE = "条見出し"


def comment_paragraphs(article: Article, notes: list[str]) -> list[str]:
    """The text of an article's comment, one string per comment paragraph."""
    a = article.annotation
    lines = [
        f"【概要】{a.summary}",
        f"【選択した条項】{article.variant_id}（{FAVOURS_JA[a.favours]}）",
        f"【提供者】利点: {a.provider.benefit}　リスク: {a.provider.risk}",
        f"【相手方】利点: {a.recipient.benefit}　リスク: {a.recipient.risk}",
        f"【論点】{a.issue}",
        f"【考え方】{a.direction}",
    ]
    if a.alternatives:
        lines.append("【他の選択肢】" + "／".join(a.alternatives))
    lines.extend(f"【この取引での指摘】{n}" for n in notes)
    lines.append("【参照】" + "、".join(a.references))
    return lines


def add_review_comments(clean_docx: bytes, doc: Document, notes_by_clause: dict[str, list[str]]) -> bytes:
    word = reopen(clean_docx)
    # Compare style ids rather than resolving every paragraph's style object (an XPath lookup per paragraph).
    heading_id = word.styles[HEADING_STYLE].style_id
    headings = [p for p in word.paragraphs if p._p.style == heading_id]
    if len(headings) != len(doc.articles):
        raise ValueError(f"{doc.file_name}: {len(headings)} heading paragraphs for {len(doc.articles)} articles")
    for paragraph, article in zip(headings, doc.articles):
        first, *rest = comment_paragraphs(article, notes_by_clause.get(article.clause_id, []))
        comment = word.add_comment(paragraph.runs, text=first, author=AUTHOR, initials=INITIALS)
        for line in rest:
            _add_comment_paragraph(comment, line)
        comment._comment_elm.date = COMMENT_DATE
    _mark_internal(word, doc)
    return save_docx(word)


REVIEW_MARK = "【社内検討用・社外秘・要専門家確認】"


def _mark_internal(word, doc: Document) -> None:
    """The review copy says what it is on every page, under the title and in its properties (コメント・分類)."""
    title = word.paragraphs[0]
    notice = title.insert_paragraph_before(doc.notice, style="草案表示")
    title._p.addnext(notice._p)  # under the title, not above it
    # The header part through the package relationships: docxtpl re-attaches rendered headers there, where
    # ``section.header`` of a reused tree would still show the template's part.
    from docx.oxml.ns import qn

    for rel in word.part.rels.values():
        if rel.reltype.endswith("/header"):
            texts = list(rel.target_part._element.iter(qn("w:t")))
            if texts:
                texts[-1].text = (texts[-1].text or "") + f"　{REVIEW_MARK}"
    props = word.core_properties
    props.title = fit_property(f"{doc.title}（レビュー用・社外秘）")
    props.comments = fit_property(doc.notice)
    props.category = "社内検討用・要専門家確認"
    props.keywords = "草案; 要専門家確認; 社外秘"


def _add_comment_paragraph(comment, text: str) -> None:
    """``comment.add_paragraph(text)`` built directly: same XML, without python-docx's per-character run writer
    and its schema-ordered child insertion (a quarter of the review copy's time)."""
    if not text or any(ch in text for ch in "\t\r\n"):
        comment.add_paragraph(text)
        return
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(OxmlElement("w:pStyle", {qn("w:val"): "CommentText"}))
    p.append(ppr)
    run = OxmlElement("w:r")
    run.add_t(text)
    p.append(run)
    comment._comment_elm.append(p)
