"""The findings summary written beside the drafts: Markdown for people, JSON for scripts."""

from __future__ import annotations

import json

from contracts.crosscheck import CHECKED_TOPICS
from contracts.document import Document

SEVERITY_ORDER = ("高", "中", "低")


def summary_json(model: str, documents: list[Document], findings: list[dict], ranking: list[dict]) -> bytes:
    data = {
        "model": model,
        "recommendation": ranking,
        "documents": [
            {"file": f"{d.file_name}.docx", "title": d.title,
             "articles": [{"number": a.number, "heading": a.heading, "clause": a.clause_id, "variant": a.variant_id}
                          for a in d.articles]}
            for d in documents
        ],
        "findings": findings,
        "checked": list(CHECKED_TOPICS),
        "notice": documents[0].notice if documents else "",
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def summary_markdown(model_label: str, documents: list[Document], findings: list[dict], ranking: list[dict]) -> bytes:
    out = [f"# 契約書草案の概要（{model_label}）", "", documents[0].notice if documents else "", ""]
    if ranking:
        out += ["## モデルの推奨", "", "| 順位 | モデル | 点数 | 理由 |", "| --- | --- | --- | --- |"]
        for i, r in enumerate(ranking, start=1):
            out.append(f"| {i} | {r['label']} | {r['score']} | {'<br>'.join(_cell(x) for x in r['reasons'])} |")
        out.append("")
    out += ["## 作成した書面", ""]
    out += [f"- {d.file_name}.docx — {d.title}（{len(d.articles)}条）" for d in documents]
    out += ["", "## 取引全体の指摘事項", ""]
    out.append("確認した事項: " + "、".join(CHECKED_TOPICS) + "。")
    out.append("")
    if not findings:
        out.append("上記の事項について、この回答から指摘すべき点は見つかりませんでした。条文ごとの検討は各レビュー用ファイルの"
                   "コメントを、最終的な判断は弁護士等の専門家の確認を経てください。")
    for severity in SEVERITY_ORDER:
        group = [f for f in findings if f["severity"] == severity]
        if not group:
            continue
        out += [f"### 重要度「{severity}」（{len(group)}件）", "", "| ID | 指摘 | 対応 | 関係する条項 | 根拠 |",
                "| --- | --- | --- | --- | --- |"]
        for f in group:
            out.append(
                f"| {f['rule']} | {_cell(f['message'])} | {_cell(f['action'])} | {', '.join(f['clauses'])} | "
                f"{_cell('、'.join(f['basis']))} |"
            )
        out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")
