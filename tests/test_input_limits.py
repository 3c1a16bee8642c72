"""Every input is read through one bounded reader before it is parsed, and every input fault exits 2 (issue 15).

What a user sees at the command line: /dev/zero or gigabytes on standard input are refused after the limit instead of
being read whole; a closed standard input, an unreadable file and a folder given as a file are input faults (exit 2,
"error: …" naming the input), never an internal error (exit 1) or a traceback.
"""

from __future__ import annotations

import io
import os
import sys

import pytest
from click.testing import CliRunner

from cli.main import main
from contracts.answers import MAX_ANSWERS_BYTES, InputError, read_input
from tests.conftest import FIXTURES, keiyaku_process

MINIMAL = FIXTURES / "answers_minimal.yaml"


def cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


class Endless(io.RawIOBase):
    """A stream of zeros that never ends (like /dev/zero or a huge pipe), counting what is read from it."""

    def __init__(self):
        self.consumed = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = len(buffer)
        buffer[:n] = b"\0" * n
        self.consumed += n
        return n


def assert_input_fault(result, *words):
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "internal error" not in result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("command", ["validate", "risk", "check"])
def test_dev_zero_as_answers_is_refused_after_the_limit(command):
    assert_input_fault(cli(command, "/dev/zero"), "/dev/zero", "大きすぎます（512 KiBまで）")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_as_batch_base_or_csv_is_refused(tmp_path):
    assert_input_fault(cli("batch", "/dev/zero", tmp_path / "rows.csv", "--out", tmp_path / "out"), "大きすぎます（512 KiBまで）")
    (tmp_path / "rows.csv").write_text("parties.recipient.name\nx\n", encoding="utf-8")
    assert_input_fault(cli("batch", MINIMAL, "/dev/zero", "--out", tmp_path / "out"), "/dev/zero", "大きすぎます（50 MiBまで）")
    assert not (tmp_path / "out").exists()


def test_endless_standard_input_is_not_read_whole():
    stream = Endless()
    result = cli("validate", "-", input=io.BufferedReader(stream))
    assert_input_fault(result, "<stdin>", "大きすぎます（512 KiBまで）")
    assert stream.consumed <= MAX_ANSWERS_BYTES + 64 * 1024  # the limit, plus at most one buffer


def test_no_standard_input_at_all(monkeypatch):
    """Started with stdin closed (`keiyaku validate - <&-`), Python has no sys.stdin."""
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="標準入力が閉じています"):  # standard input is closed
        read_input("-", 100)


def test_closed_stdin_in_a_real_process():
    """The same, as the shell does it: file descriptor 0 closed before the program starts."""
    result = keiyaku_process("validate", "-", preexec_fn=lambda: os.close(0))
    assert result.returncode == 2, result.stderr
    assert "標準入力が閉じています" in result.stderr and "Traceback" not in result.stderr


def test_unreadable_answers_are_an_input_fault(tmp_path):
    assert_input_fault(cli("validate", tmp_path / "missing.yaml"), "missing.yaml", "読めません")
    (tmp_path / "folder.yaml").mkdir()
    result = cli("validate", tmp_path / "folder.yaml")  # click's own usage error, also exit status 2
    assert result.exit_code == 2 and "is a directory" in result.stderr and "Traceback" not in result.output


def test_the_reader_stops_at_the_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 1001)
    with pytest.raises(InputError, match="大きすぎます"):
        read_input(path, 1000)
    path.write_bytes(b"#" * 1000)
    assert read_input(path, 1000) == b"#" * 1000


def test_a_date_that_does_not_exist_names_the_field_and_line(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(MINIMAL.read_text(encoding="utf-8").replace("2027-04-01", "2027-02-30"), encoding="utf-8")
    for command in ("validate", "generate"):
        extra = ["--out", tmp_path / "out"] if command == "generate" else []
        result = cli(command, path, *extra)
        assert_input_fault(result, "契約締結日（deal.contract_date）: 「2027-02-30」は存在しない日付です", "（28行目）")
        assert "YAML として読めません" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_lone_surrogate_is_refused_by_validate_and_generate(tmp_path):
    """Item 1 as reported: `- "天候\\ud800区分"` in data.items passed validate and lost 9 of 12 rows of the 別紙."""
    path = tmp_path / "answers.yaml"
    path.write_text(MINIMAL.read_text(encoding="utf-8").replace("items: [日付,", 'items: ["天候\\ud800区分", 日付,'),
                    encoding="utf-8")
    assert_input_fault(cli("validate", path), "data.items[0]", "U+D800")
    assert_input_fault(cli("generate", path, "--out", tmp_path / "out"), "data.items[0]")
    assert not (tmp_path / "out").exists()


def test_terminal_output_escapes_control_characters_from_input(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(MINIMAL.read_text(encoding="utf-8").replace("stance: balanced", 'stance: balanced\n"\\e[31m\\x9b2J": 1'),
                    encoding="utf-8")
    result = cli("validate", path)
    assert_input_fault(result, "\\x1b[31m\\x9b2J: この項目は回答ファイルにありません")  # unknown field
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr
