"""The review copy: the clean draft plus one Word comment per article carrying its annotation.

Annotations go into a separate file so that the clean copy sent to the counterparty can never carry an
internal note. Author, initials and date are fixed so the review copy is byte-identical for the same answers.
"""

from __future__ import annotations

import datetime as _dt

from contracts.document import FAVOURS_JA, Article, Document
from contracts.render.docx import fit_property

AUTHOR = "keiyaku レビュー"
INITIALS = "KR"
COMMENT_DATE = _dt.datetime(2000, 1, 1, 0, 0, 0, tzinfo=_dt.UTC)
HEADING_STYLE = "条見出し"
NOTICE_STYLE = "草案表示"


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
    """The review copy of ``clean_docx`` (what ``render_docx(doc)`` returned): only the parts it changes are
    parsed and written again (the body, the headers, the properties, the new comments); the rest keep their bytes."""
    from contracts.render import ooxml

    return review_copy(ooxml.Package.from_bytes(clean_docx), doc, notes_by_clause)


def review_copy(package, doc: Document, notes_by_clause: dict[str, list[str]]) -> bytes:
    """The review copy from the clean copy's package as read back (``Package.from_bytes`` of its bytes, or
    ``Package.reopened`` after writing it, which gives the same)."""
    from contracts.render import ooxml

    heading_id = ooxml.style_ids(package, HEADING_STYLE)[0]
    paragraphs = ooxml.body_paragraphs(package)
    headings = ooxml.paragraphs_in_style(package, heading_id)
    if len(headings) != len(doc.articles):
        raise ValueError(f"{doc.file_name}: {len(headings)} heading paragraphs for {len(doc.articles)} articles")
    comments = ooxml.Comments(package)  # the comments part is added with the first comment
    comments.add_all([(paragraph, comment_paragraphs(article, notes_by_clause.get(article.clause_id, [])))
                      for paragraph, article in zip(headings, doc.articles)], AUTHOR, INITIALS, COMMENT_DATE)
    _mark_internal(package, paragraphs[0], doc)
    return package.to_bytes()


REVIEW_MARK = "【社内検討用・社外秘・要専門家確認】"


def _mark_internal(package, title, doc: Document) -> None:
    """The review copy says what it is on every page, under the title and in its properties (コメント・分類)."""
    from contracts.render import ooxml

    ooxml.insert_paragraph_after(title, doc.notice, ooxml.style_ids(package, NOTICE_STYLE)[1])
    ooxml.append_to_headers(package, f"　{REVIEW_MARK}")
    props = ooxml.core_properties(package)
    props.title = fit_property(f"{doc.title}（レビュー用・社外秘）")
    props.comments = fit_property(doc.notice)
    props.category = "社内検討用・要専門家確認"
    props.keywords = "草案; 要専門家確認; 社外秘"
