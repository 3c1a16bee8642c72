"""The `keiyaku` command line: parse, call `contracts`, print, set the exit status. No business logic here.

Exit status: 0 success, 1 generation failure (a library or assembly problem), 2 bad input or usage.
Heavy imports (docxtpl, WeasyPrint) happen inside the commands that need them, so --help stays fast.
Messages about the input are in Japanese, or English with ``keiyaku --lang en`` or an English locale (``LANG``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.errors import Failure, errors_to_exit, read_answers, shown
from contracts import __version__
from contracts.vocabulary import MODEL_IDS


class _Commands(click.Group):
    """The commands kept in other modules are imported when one of them runs or help lists them, not by every command
    (``validate`` would otherwise import the batch and interview modules it never uses: about 8 ms)."""

    ELSEWHERE = {"batch": "cli.batch", "init": "cli.interview", "schema": "cli.interview"}

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.ELSEWHERE])

    def get_command(self, ctx, cmd_name):
        if cmd_name in self.ELSEWHERE and cmd_name not in self.commands:
            import importlib

            self.add_command(getattr(importlib.import_module(self.ELSEWHERE[cmd_name]), cmd_name))
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keiyaku")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of messages and questions (default: ja, or en when LC_ALL/LC_MESSAGES/LANG is English).")
def main(debug: bool, lang: str | None) -> None:
    """Draft Japanese data-sharing contracts from an answers file.

    Every output is a draft and must be reviewed by qualified counsel before use.
    """
    import os

    from contracts.messages import from_environment, reset_language, set_language

    token = set_language(lang or from_environment(os.environ))
    click.get_current_context().call_on_close(lambda: reset_language(token))


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the drafts.")
@click.option("--force", is_flag=True, help="Replace the set already in the folder, removing its files that the new set no longer has.")
@click.option("-f", "--format", "formats", default="docx", show_default=True,
              help="What to write: docx, pdf, or docx,pdf (pdf = the board-approval packet).")
@click.option("--pdf", "with_pdf", is_flag=True, help="Also write the board-approval PDF packet (same as --format docx,pdf).")
@errors_to_exit
def generate(answers: str, out_dir: str, force: bool, formats: str, with_pdf: bool) -> None:
    """Write the model's whole document set into OUT: clean Word drafts, review copies with comments
    and a findings summary (review/), and with --pdf the board-approval packet."""
    from contracts.generate import FORMATS
    from contracts.generate import generate as run

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise Failure(f"--format: unknown format {', '.join(unknown) or '(empty)'} (choose docx, pdf or docx,pdf)", 2)
    if with_pdf and "pdf" not in chosen:
        chosen += ("pdf",)
    parsed = read_answers(answers)
    written = run(parsed, Path(out_dir), force=force, formats=chosen)
    for path in written:
        click.echo(shown(str(path)))
    from contracts.messages import text

    click.echo(text("cli.generate.written", count=len(written)), err=True)


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@errors_to_exit
def validate(answers: str) -> None:
    """Check an answers file without writing anything."""
    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.messages import text

    resolved, docs, found, _ = prepare(read_answers(answers))
    model = default_library().labels.get("model", {}).get(resolved.model, resolved.model)
    click.echo(text("cli.validate.ok", source=shown(answers), model=model, documents="、".join(d.title for d in docs)))
    if found:
        counts = "、".join(f"{s}{sum(f.severity == s for f in found)}件" for s in ("高", "中", "低"))
        click.echo(text("cli.validate.findings", counts=counts, source=shown(answers)))


SEVERITIES = ("高", "中", "低")


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@errors_to_exit
def check(answers: str, as_json: bool) -> None:
    """Check that the drafted set agrees with itself and with the deal facts (exit 1 if not).

    Defined terms, survival, the NDA before the deal, periods, the liability cap, flow-down permissions,
    and what the annotations say about the text. Nothing is written.
    """
    import json

    from contracts.consistency import check_set
    from contracts.generate import prepare
    from contracts.library import default_library

    resolved, docs, _, _ = prepare(read_answers(answers))
    problems = check_set(resolved, docs, default_library())
    if as_json:
        click.echo(json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=2))
    else:
        for p in problems:
            click.echo(p.line())
        click.echo(f"{answers}: 問題 {len(problems)}件（{len(docs)}文書を確認: 定義語、存続条項、秘密保持契約との関係、"
                   "期間、賠償額の上限、下流文書の許可、注釈と本文の一致）")
    if problems:
        sys.exit(1)


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 if a finding of this severity or higher exists.")
@errors_to_exit
def risk(answers: str, as_json: bool, fail_on: str | None) -> None:
    """Deal-level risk findings, grouped by severity (高・中・低)."""
    import json

    from contracts.answers import AnswersError
    from contracts.crosscheck import CHECKED_TOPICS
    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.recommend import resolve_model
    from contracts.risk import findings

    parsed = read_answers(answers)
    try:
        # The same findings as the summary beside the drafts: rules, answer cross-checks and stamp duty.
        _, _, found, _ = prepare(parsed)
    except AnswersError as refused:
        # A deal the law does not allow is still explained: its blocking findings are the answer.
        try:
            resolved, _ = resolve_model(parsed)
        except AnswersError:
            raise refused from None
        found = findings(resolved, present=default_library().clauses_for(resolved.model) or None)
        if not any(f.block for f in found):
            raise refused from None
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=2))
    else:
        if not found:
            click.echo("次の事項を確認し、この回答からは指摘すべき点が見つかりませんでした。")
        for severity in SEVERITIES:
            group = [f for f in found if f.severity == severity]
            if not group:
                continue
            click.echo(f"■ 重要度「{severity}」 {len(group)}件")
            for f in group:
                mark = "［作成不可］" if f.block else ""
                click.echo(f"  {mark}{f.rule}: {f.message}")
                click.echo(f"      対応: {f.action}")
                click.echo(f"      条項: {', '.join(f.clauses) or '-'}　根拠: {'、'.join(f.basis)}")
        click.echo("確認した事項: " + "、".join(CHECKED_TOPICS))
    if fail_on:
        worst = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(f.severity) <= worst for f in found):
            sys.exit(1)


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@errors_to_exit
def recommend(answers: str, as_json: bool) -> None:
    """Rank the four models against the provider's goals (deal.goals) and constraints (deal.constraints)."""
    import json

    from contracts.answers import AnswersError
    from contracts.recommend import rank, verdict

    parsed = read_answers(answers)
    if not parsed.deal.goals:
        from contracts.messages import Problem

        raise AnswersError(answers, [Problem("deal.goals", "cli.recommend.goals")])
    ranking = rank(parsed)
    v = verdict(ranking)
    if as_json:
        click.echo(json.dumps({"verdict": {"status": v.status, "models": list(v.models), "text": v.text},
                               "ranking": [r.__dict__ for r in ranking]},
                              ensure_ascii=False, indent=2, default=list))
        return
    click.echo(v.text)
    for i, r in enumerate(ranking, start=1):
        if not r.eligible:
            mark = "  （対象外: " + "、".join(r.excluded) + "）"
        elif r.model in v.models and v.status == "lead":
            mark = "  ← 推奨"
        elif r.model in v.models and v.status == "tie":
            mark = "  ← 同点"
        else:
            mark = ""
        click.echo(f"{i}. {r.label}（{r.model}）　{r.score}点{mark}")
        for reason in r.reasons:
            click.echo(f"     - {reason}")


@main.command()
def models() -> None:
    """List the four provision models and the documents each produces."""
    from contracts.library import default_library

    lib = default_library()
    labels = lib.labels.get("model", {})
    for model in MODEL_IDS:
        click.echo(f"{model}\t{labels.get(model, '')}")
        for d in lib.documents_for(model):
            note = "（条件付き）" if d.when else ""
            click.echo(f"    {d.file_name}.docx\t{d.title}{note}")


@main.group()
def clauses() -> None:
    """Inspect and check the clause library."""


@clauses.command("list")
@click.option("--model", type=click.Choice(MODEL_IDS))
@errors_to_exit
def clauses_list(model: str | None) -> None:
    """List the clauses with their documents and variants."""
    from contracts.library import default_library

    lib = default_library()
    for c in sorted(lib.clauses.values(), key=lambda c: c.id):
        if model and model not in c.models:
            continue
        variants = ",".join(v.id for v in c.variants)
        docs = ",".join(lib.used_in.get(c.id, []))
        click.echo(f"{c.id}\t{c.heading}\t[{variants}]\t{docs}")


@clauses.command("show")
@click.argument("clause_id")
@errors_to_exit
def clauses_show(clause_id: str) -> None:
    """Show one clause: its variants, texts and annotations."""
    from contracts.library import default_library, outline

    lib = default_library()
    clause = lib.clauses.get(clause_id)
    if clause is None:
        raise Failure(f"no clause '{clause_id}' (see `keiyaku clauses list`)", 2)
    click.echo(f"{clause.id}（{clause.heading}）")
    click.echo(f"  documents: {', '.join(lib.used_in.get(clause.id, []))}")
    click.echo(f"  models: {', '.join(clause.models)}")
    if clause.when:
        click.echo(f"  applies when: {clause.when}")
    if clause.choose_by:
        click.echo(f"  variant chosen by: {clause.choose_by}")
    for v in clause.variants:
        click.echo(f"\n  [{v.id}] stance: {', '.join(v.stance) or '-'}  favours: {v.annotation.favours}")
        for i, p in enumerate(v.paragraphs, start=1):
            cond = f"  (when {p.when})" if p.when else ""
            click.echo(f"    {i}. {outline(p.text)}{cond}")
            for it in p.items:
                click.echo(f"       - {outline(it.text)}")
        a = v.annotation
        click.echo(f"    概要: {outline(a.summary)}")
        click.echo(f"    提供者: 利点 {outline(a.provider.benefit)} / リスク {outline(a.provider.risk)}")
        click.echo(f"    相手方: 利点 {outline(a.recipient.benefit)} / リスク {outline(a.recipient.risk)}")
        click.echo(f"    論点: {outline(a.issue)}")
        click.echo(f"    考え方: {outline(a.direction)}")
        click.echo(f"    参照: {'、'.join(lib.registry.label(r) for r in a.references)}")


@clauses.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True), help="Library folder to check.")
@errors_to_exit
def clauses_check(directory: str | None) -> None:
    """Lint the library: ids, references, answer fields, annotations, placeholders, cited legal sources."""
    from contracts.library import check, load_library
    from contracts.risk import check_rules, load_riskbook

    folder = Path(directory) if directory else None
    lib = load_library(folder)
    problems = check(lib) + check_rules(load_riskbook(folder), set(lib.clauses))
    for p in problems:
        click.echo(p)
    if problems:
        raise Failure(f"{len(problems)} problem(s) in the clause library", 1)
    n_variants = sum(len(c.variants) for c in lib.clauses.values())
    n_rules = len(load_riskbook(folder).rules)
    click.echo(f"ok: {len(lib.documents)} documents, {len(lib.clauses)} clauses, {n_variants} variants, {n_rules} risk rules, "
               f"{len(lib.registry)} legal sources")


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("new", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the redlines.")
@click.option("--force", is_flag=True, help="Replace the set already in the folder.")
@click.option("--author", help="Author shown on every revision (default: the new version's drafter, deal.version.drafter).")
@errors_to_exit
def redline(old: str, new: str, out_dir: str, force: bool, author: str | None) -> None:
    """Word drafts with tracked changes (変更履歴) from the OLD answers' set to the NEW one, one per document,
    and the list of changed articles with their annotations (review/redline_summary.md, .json)."""
    from contracts.redline import build_redline
    from contracts.render.files import write_set

    if old == "-" and new == "-":
        raise Failure("OLD and NEW cannot both be standard input", 2)
    if author is not None:
        from contracts.answers import text_problem

        problem = text_problem(author)
        if problem:
            raise Failure(f"--author: {problem}", 2)
    result = build_redline(read_answers(old), read_answers(new), author=author)
    written = write_set(Path(out_dir), result.files, force)
    for path in written:
        click.echo(shown(str(path)))
    for d in result.summary.documents:
        counts = {s: sum(a.status == s for a in d.articles) for s in ("changed", "added", "deleted", "renumbered")}
        state = "（新しい文書）" if d.old is None else "（削除された文書）" if d.new is None else ""
        click.echo(f"{d.title}{state}: 変更 {counts['changed']}条・追加 {counts['added']}条・削除 {counts['deleted']}条・"
                   f"条番号のみ変更 {counts['renumbered']}条", err=True)
    click.echo(f"{result.summary.old_label} → {result.summary.new_label}（変更履歴の作成者: {result.summary.author}）", err=True)


@main.command()
@click.argument("sent", type=click.Path(dir_okay=False))
@click.argument("returned", type=click.Path(dir_okay=False))
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="The answers SENT was drafted from: changed articles are matched against the library's variants.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False),
              help="Write the review copy (a comment on each changed article) and compare.md / compare.json here.")
@click.option("--force", is_flag=True, help="Replace the set already in the folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of Markdown.")
@errors_to_exit
def compare(sent: str, returned: str, answers_path: str | None, out_dir: str | None, force: bool, as_json: bool) -> None:
    """Compare a file the counterparty sent back (RETURNED) with the one sent (SENT), article by article.

    Exit status 1 when an article was changed without tracked changes (a silent edit), 2 when a file cannot be read.
    """
    import json

    from contracts.answers import read_input
    from contracts.compare import MAX_DOCX_BYTES, VariantLibrary, read_docx, report_dict, report_markdown, review_docx
    from contracts.compare import compare as run
    from contracts.render.files import safe_name, write_set

    sent_bytes = read_input(sent, MAX_DOCX_BYTES)
    returned_bytes = read_input(returned, MAX_DOCX_BYTES)
    sent_reading = read_docx(sent_bytes, sent)
    returned_reading = read_docx(returned_bytes, returned)
    library = VariantLibrary(read_answers(answers_path)) if answers_path else None
    report = run(sent_reading, returned_reading, library)
    data = report_dict(report)
    markdown = report_markdown(report)
    if out_dir:
        stem = Path(returned).stem
        files = {
            safe_name(f"{stem}_照合.docx"): review_docx(returned_bytes, report, returned_reading),
            "compare.md": markdown.encode("utf-8"),
            "compare.json": (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        }
        for path in write_set(Path(out_dir), files, force):
            click.echo(shown(str(path)), err=True)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else shown(markdown.rstrip("\n")))
    if report.silent:
        click.echo(f"変更履歴のない変更（サイレント修正）が {len(report.silent)}件あります: "
                   + "、".join(r.label for r in report.silent), err=True)
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Any other than this machine's loopback requires an access token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False),
              help="Folder of the deals database (default: $XDG_DATA_HOME/keiyaku or ~/.local/share/keiyaku).")
@click.option("--token", envvar="KEIYAKU_TOKEN", help="Access token (env KEIYAKU_TOKEN); made up and printed when "
              "--host is not loopback and none is given.")
@errors_to_exit
def serve(host: str, port: int, data_dir: str | None, token: str | None) -> None:
    """Start the browser questionnaire: forms with a live preview, saved deals and versions, downloads.

    Listens on 127.0.0.1 by default; open the printed URL. Works offline; Ctrl-C stops it.
    """
    from cli.process import collect_garbage
    from web.server import run, warm_up

    warm_up()  # the library and rules, loaded before the collector is switched on, are frozen out of its passes
    collect_garbage()
    run(host, port, data_dir, token, echo=lambda line: click.echo(line, err=True))




if __name__ == "__main__":
    from cli.process import run

    run()
