"""The command line as a user meets it: files written, overwrite protection, listings.

Most tests run the command in this process (CliRunner); the last few start it as a real program, for what only a
process shows: the exit status a shell sees, a clean stderr, start-up, and output flushed before a fast exit.
"""

from __future__ import annotations

import hashlib
import json

from contracts.render.files import SET_MANIFEST
from tests.conftest import EXAMPLES, FIXTURES, ROOT, keiyaku, keiyaku_process


def test_generate_refuses_to_overwrite_without_force(tmp_path):
    ex = EXAMPLES[0]
    assert keiyaku("generate", ex, "--out", tmp_path).exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.docx")}
    second = keiyaku("generate", ex, "--out", tmp_path)
    assert second.exit_code == 2 and "既に存在します" in second.stderr and "--force" in second.stderr
    assert keiyaku("generate", ex, "--out", tmp_path, "--force").exit_code == 0
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.docx")} == before
    assert not list(tmp_path.glob(".keiyaku-*"))


def test_generate_refuses_a_symlinked_output(tmp_path):
    ex = EXAMPLES[0]
    first = keiyaku("generate", ex, "--out", tmp_path / "a")
    name = first.stdout.splitlines()[0].rsplit("/", 1)[1]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / name).symlink_to(victim)
    result = keiyaku("generate", ex, "--out", tmp_path / "b", "--force")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert victim.read_text() == "keep me"


def test_generate_reads_answers_from_stdin(tmp_path):
    result = keiyaku("generate", "-", "--out", tmp_path, input=EXAMPLES[0].read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("*.docx"))


def test_validate_names_the_documents():
    for ex in EXAMPLES:
        result = keiyaku("validate", ex)
        assert result.exit_code == 0, result.output
        assert "回答に誤りはありません" in result.stdout and "秘密保持契約書" in result.stdout


def test_models_lists_the_four_models_and_their_documents():
    out = keiyaku("models").stdout
    for model in ("hackathon", "paid_consulting", "joint_research", "data_provision"):
        assert model in out
    assert "参加規約" in out and "共同研究契約書" in out and "データ提供契約書" in out


def test_clauses_list_and_show():
    listing = keiyaku("clauses", "list").stdout
    assert "common_liability" in listing
    shown = keiyaku("clauses", "show", "common_liability")
    assert shown.exit_code == 0 and "損害賠償" in shown.stdout and "provider" in shown.stdout
    missing = keiyaku("clauses", "show", "no_such_clause")
    assert missing.exit_code == 2 and "no clause" in missing.stderr


def test_help_and_version():
    assert keiyaku("--help").exit_code == 0
    assert "0.1.0" in keiyaku("--version").stdout


# --------------------------------------------------------------------------- as a real program


def test_a_shell_sees_each_exit_status_and_a_message_never_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: [\n", encoding="utf-8")
    refused = keiyaku_process("validate", bad)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("error: ") and "YAML として読めません" in refused.stderr  # cannot be read as YAML
    assert "Traceback" not in refused.stderr
    deal = ROOT / "examples" / "data_provision.yaml"
    assert keiyaku_process("risk", deal, "--fail-on", "中").returncode == 1  # a finding at 中 or above
    passed = keiyaku_process("validate", FIXTURES / "answers_minimal.yaml")
    assert passed.returncode == 0 and "回答に誤りはありません" in passed.stdout and passed.stderr == ""


def test_help_starts_with_the_interpreter_alone_and_without_the_renderers():
    """No console script and no venv folder on PATH: `python -m cli.main` is enough. The Word and PDF renderers are
    imported by the commands that use them, so that --help starts quickly (-X importtime lists every import)."""
    result = keiyaku_process("--help", flags=("-X", "importtime"))
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: ") and "generate" in result.stdout
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert {"click", "cli.errors"} <= imported and not imported & {"docxtpl", "docx", "weasyprint"}
    assert all(line.startswith("import time:") for line in result.stderr.splitlines())  # nothing else on stderr


def test_validate_reads_the_library_without_loading_the_renderers():
    """validate assembles the whole set in memory and writes nothing: Word and PDF libraries stay unloaded."""
    result = keiyaku_process("validate", EXAMPLES[0], flags=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert {"contracts.assembly", "contracts.cache"} <= imported
    assert not imported & {"docxtpl", "docx", "weasyprint", "lxml"}


def test_a_program_that_exits_fast_has_flushed_every_line_and_file(tmp_path):
    """stdout is a pipe here (block-buffered): every written file is listed, and every file is whole."""
    result = keiyaku_process("generate", EXAMPLES[0], "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"{len(result.stdout.splitlines())}件のファイルを書き込みました")  # N files written
    digests = json.loads((tmp_path / SET_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert sorted(result.stdout.splitlines()) == sorted(str(tmp_path / rel) for rel in digests)
    on_disk = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == sorted([*digests, SET_MANIFEST])  # and nothing half-written left beside them
    for rel, digest in digests.items():
        assert hashlib.sha256((tmp_path / rel).read_bytes()).hexdigest() == digest, rel
    assert any(rel.startswith("review/") for rel in digests) and len(digests) > 5
