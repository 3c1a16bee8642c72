"""The command line as a user meets it: files written, overwrite protection, listings."""

from __future__ import annotations

import subprocess

from tests.conftest import EXAMPLES, KEIYAKU


def run(*args, **kw):
    return subprocess.run(KEIYAKU + list(args), capture_output=True, text=True, **kw)


def test_generate_refuses_to_overwrite_without_force(tmp_path):
    ex = str(EXAMPLES[0])
    assert run("generate", ex, "--out", str(tmp_path)).returncode == 0
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.docx")}
    second = run("generate", ex, "--out", str(tmp_path))
    assert second.returncode == 2 and "既に存在します" in second.stderr and "--force" in second.stderr
    assert run("generate", ex, "--out", str(tmp_path), "--force").returncode == 0
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.docx")} == before
    assert not list(tmp_path.glob(".keiyaku-*"))


def test_generate_refuses_a_symlinked_output(tmp_path):
    ex = str(EXAMPLES[0])
    first = run("generate", ex, "--out", str(tmp_path / "a"))
    name = first.stdout.splitlines()[0].rsplit("/", 1)[1]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / name).symlink_to(victim)
    result = run("generate", ex, "--out", str(tmp_path / "b"), "--force")
    assert result.returncode == 2 and "symbolic link" in result.stderr
    assert victim.read_text() == "keep me"


def test_generate_reads_answers_from_stdin(tmp_path):
    result = run("generate", "-", "--out", str(tmp_path), input=EXAMPLES[0].read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("*.docx"))


def test_validate_names_the_documents():
    for ex in EXAMPLES:
        result = run("validate", str(ex))
        assert result.returncode == 0, result.stderr
        assert "回答に誤りはありません" in result.stdout and "秘密保持契約書" in result.stdout


def test_models_lists_the_four_models_and_their_documents():
    out = run("models").stdout
    for model in ("hackathon", "paid_consulting", "joint_research", "data_provision"):
        assert model in out
    assert "参加規約" in out and "共同研究契約書" in out and "データ提供契約書" in out


def test_clauses_list_and_show():
    listing = run("clauses", "list").stdout
    assert "common_liability" in listing
    shown = run("clauses", "show", "common_liability")
    assert shown.returncode == 0 and "損害賠償" in shown.stdout and "provider" in shown.stdout
    missing = run("clauses", "show", "no_such_clause")
    assert missing.returncode == 2 and "no clause" in missing.stderr


def test_help_and_version():
    assert run("--help").returncode == 0
    assert "0.1.0" in run("--version").stdout
