"""The `keiyaku` command line: parse, call `contracts`, print, set the exit status. No business logic here.

Exit status: 0 success, 1 generation failure (a library or assembly problem), 2 bad input or usage.
Heavy imports (docxtpl, WeasyPrint) happen inside the commands that need them, so --help stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.batch import batch
from cli.errors import Failure, errors_to_exit, read_answers, shown
from cli.interview import init, schema
from contracts import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keiyaku")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def main(debug: bool) -> None:
    """Draft Japanese data-sharing contracts from an answers file.

    Every output is a draft and must be reviewed by qualified counsel before use.
    """


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
    click.echo(f"{len(written)} file(s) written. These are drafts: have them reviewed by qualified counsel.", err=True)


@main.command()
@click.argument("answers", type=click.Path(dir_okay=False, allow_dash=True))
@errors_to_exit
def validate(answers: str) -> None:
    """Check an answers file without writing anything."""
    from contracts.generate import prepare

    resolved, docs, found, _ = prepare(read_answers(answers))
    click.echo(f"{shown(answers)}: valid ({resolved.model}; {', '.join(d.title for d in docs)})")
    if found:
        counts = "、".join(f"{s}{sum(f.severity == s for f in found)}件" for s in ("高", "中", "低"))
        click.echo(f"findings: {counts} (see `keiyaku risk {answers}`)")


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
        raise AnswersError(answers, [("deal.goals", "list the provider's goals (money, talent, pr, deliverables, research)")])
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
    for model in ("hackathon", "paid_consulting", "joint_research", "data_provision"):
        click.echo(f"{model}\t{labels.get(model, '')}")
        for d in lib.documents_for(model):
            note = "（条件付き）" if d.when else ""
            click.echo(f"    {d.file_name}.docx\t{d.title}{note}")


@main.group()
def clauses() -> None:
    """Inspect and check the clause library."""


@clauses.command("list")
@click.option("--model", type=click.Choice(["hackathon", "paid_consulting", "joint_research", "data_provision"]))
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
    from contracts.library import default_library

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
            click.echo(f"    {i}. {p.text}{cond}")
            for it in p.items:
                click.echo(f"       - {it.text}")
        a = v.annotation
        click.echo(f"    概要: {a.summary}")
        click.echo(f"    提供者: 利点 {a.provider.benefit} / リスク {a.provider.risk}")
        click.echo(f"    相手方: 利点 {a.recipient.benefit} / リスク {a.recipient.risk}")
        click.echo(f"    論点: {a.issue}")
        click.echo(f"    考え方: {a.direction}")
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


main.add_command(init)
main.add_command(schema)
main.add_command(batch)

if __name__ == "__main__":
    main()
