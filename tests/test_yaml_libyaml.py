"""Answers files are read by libyaml's C scanner and parser where PyYAML has it, with the same results and messages.

``contracts.answers.parse_with_lines`` puts the one composer (bounds, alias refusal), resolvers and constructors over
libyaml's events; what libyaml refuses, and text on which the two scanners are known to differ, is read by the
pure-Python path. Every input here goes through both paths (``yaml.__with_libyaml__`` switched off for the second)
and must give the same data, lines, or report.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.answers import (
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    AnswersError,
    _UniqueKeyLoader,
    answers_from_bytes,
    load_answers,
    parse_with_lines,
)
from tests.conftest import EXAMPLES, FIXTURES
from tests.test_fuzz import CASES, NAMED

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

MINIMAL = (FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8")


def outcome(monkeypatch, raw: bytes, source: str, libyaml: bool):
    """What a user gets from the file: the data and the line of each field, or the report."""
    monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    try:
        answers_from_bytes(raw, source)
        validated = "valid"
    except AnswersError as exc:
        validated = str(exc)
    if text is None:
        return validated
    try:
        data, lines = parse_with_lines(text, source)
        return validated, repr(data), lines
    except AnswersError as exc:
        return validated, str(exc)


def assert_same(monkeypatch, raw: bytes, source: str = "a.yaml"):
    assert outcome(monkeypatch, raw, source, libyaml=True) == outcome(monkeypatch, raw, source, libyaml=False)


# Text that libyaml reads and PyYAML refuses, or reads as other data: read by the pure-Python path alone.
DIFFERING = {
    "a tab after a colon": "model:\tdata_provision\n",
    "a tab in a blank line": "model: data_provision\n \t\nstance: balanced\n",
    "a question mark in a flow list": "items: [a?b]\n",
    "a question mark in a flow key": "{a?: b}\n",
    "a non-specific tag": "model: !\n",
    "a tag before a comma": "{model: !!str, stance: x}\n",
    "a BOM at the start of a later line": "model: data_provision\n\ufeff# comment\n",
    "a comment right after a block scalar indicator": "model: |#c\n  data_provision\n",
    "a comment right after a version directive": "%YAML 1.1#c\n---\nmodel: data_provision\n",
    "the same after a Unicode line break": "# c\u2028%YAML 1.1#c\n---\nmodel: data_provision\n",
}

# Text that PyYAML reads and libyaml refuses: read again by the pure-Python path.
STRICTER = {
    "YAML 1.3": "%YAML 1.3\n---\nmodel: data_provision\n",
    "an escaped surrogate": 'model: "\\ud800"\n',
    "an escape past U+10FFFF": 'model: "\\U00110000"\n',
    "a BOM inside a line": "model: data\ufeff_provision\n",
}

ODD = {
    "bad indentation on line 3": "model: x\n  stance: y\n bad: z\n",
    "unclosed quote": 'model: "data_provision\nstance: balanced\n',
    "two documents": "model: a\n---\nmodel: b\n",
    "an alias on line 2": "a: &x 1\nb: *x\n",
    "an undefined alias": "a: *x\n",
    "a duplicate anchor": "a: &x 1\nb: &x 2\n",
    "a merge key": "base: {x: 1}\nother:\n  <<: {y: 2}\n",
    "a key that is an integer": "1: x\n",
    "a key that is null": "~: x\n",
    "YAML 1.1 forms": "a: yes\nb: on\nc: 010\nd: 0x1F\ne: 1:30\nf: 1_000\ng: .inf\nh: ~\ni: 2027-02-30\nj: 2027-04-01\n",
    "block scalars": "a: |\n  x\n   y\nb: >-\n  p\n\n  q\nc: |+\n  z\n\n",
    "quoted escapes": "a: \"\\x41\\u3042\\U0001F600\\e\\/\\ \\N\\_\\L\\P\"\nb: 'it''s'\n",
    "CRLF and CR line ends": "a: 1\r\nb:\r  - x\r\n  - y\r",
    "Unicode line breaks": "a: 1\x85b: 2\u2028c: [x,\u2029y]\n",
    "an empty key": ": x\n",
    "explicit keys": "? a\n: 1\n? b\n",
    "flow pairs": "[a: 1, {b: 2}, c]\n",
    "a long simple key": "k" * 1100 + ": v\n",
    "a long Japanese key": "鍵" * 500 + ": v\n",
    "a document end": "model: x\n...\n",
    "a TAG directive and a local tag": "%TAG !e! tag:example.com,2000:\n---\nmodel: !e!x y\n",
    "a control character": "model: \x07\n",
    "a lone surrogate": "model: \ud800\n",
}


@pytest.mark.parametrize("raw,source", list(CASES.values()), ids=list(CASES))
def test_hostile_files_read_the_same_on_both_paths(monkeypatch, raw, source):
    assert_same(monkeypatch, raw, source)


@pytest.mark.parametrize("text,source", [(t, s) for t, s, _, _ in NAMED.values()], ids=list(NAMED))
def test_refusals_naming_field_and_line_are_the_same_on_both_paths(monkeypatch, text, source):
    assert_same(monkeypatch, text.encode("utf-8", "surrogatepass"), source)


@pytest.mark.parametrize("text", [*DIFFERING.values(), *STRICTER.values(), *ODD.values()],
                         ids=[*DIFFERING, *STRICTER, *ODD])
def test_odd_yaml_reads_the_same_on_both_paths(monkeypatch, text):
    assert_same(monkeypatch, text.encode("utf-8", "surrogatepass"))
    assert_same(monkeypatch, MINIMAL.replace("stance: balanced\n", text).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("text", list(DIFFERING.values()), ids=list(DIFFERING))
def test_text_the_two_scanners_read_differently_is_what_the_screen_sends_to_python(monkeypatch, text):
    """Each sample is a real difference (libyaml alone reads it as it is), so the test above fails without the screen."""
    c_loader = _UniqueKeyLoader.make(libyaml=True)
    c_data = c_loader(text).get_single_data()
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    try:
        assert parse_with_lines(text, "a.yaml")[0] != c_data
    except AnswersError:
        pass


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_examples_are_read_by_libyaml(monkeypatch, path):
    """With PyYAML's pure-Python reader broken, the examples still load: the C parser read them."""
    expected = load_answers(path)

    def broken(*args, **kwargs):
        raise AssertionError("the pure-Python YAML reader was used")

    monkeypatch.setattr(yaml.reader.Reader, "__init__", broken)
    assert load_answers(path) == expected
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    with pytest.raises(AssertionError, match="pure-Python"):
        load_answers(path)


@pytest.mark.parametrize("text,message", [
    ("[" * 100, f"入れ子が{MAX_YAML_DEPTH}段を超えています"),
    ("".join("  " * i + "k:\n" for i in range(100)), f"入れ子が{MAX_YAML_DEPTH}段を超えています"),
    ("- a\n" * (MAX_YAML_NODES + 10), f"値が{MAX_YAML_NODES:,}個を超えています"),
    ("a: &x [1]\nb: *x\n", "YAML のエイリアス（*name）は使えません"),
], ids=["deep flow", "deep block", "too many values", "alias"])
def test_bounds_and_aliases_are_enforced_on_libyaml_events(text, message):
    """Refused by the composer over libyaml's events, before any pure-Python scanning."""
    with pytest.raises(yaml.composer.ComposerError) as info:
        _UniqueKeyLoader.make(libyaml=True)(text).get_single_node()
    assert info.value.problem == message


PIECES = ["a", "key", "1", "010", "yes", "2027-02-30", "テスト", " ", "  ", "\n", "\n", "\r\n", "\r", "\x85", "\u2028",
          ":", ": ", "- ", "-", "[", "]", "{", "}", ",", " #c", "#", "&a ", "*a", "'", '"', "\\", "\\u3042", "\\ud800",
          "|", ">", "|-", ">+2", "---", "...", "%YAML 1.1", "%TAG !e! tag:x,2000:", "%", "\t", "?", "? ", "!", "!!str ",
          "\ufeff", "\x00", "\x07", "<<: ", "~", ".inf", "@", "`"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_yaml_reads_the_same_on_both_paths(monkeypatch, text):
    assert_same(monkeypatch, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(MINIMAL)), st.integers(0, 30), st.lists(st.sampled_from(PIECES), max_size=6).map("".join))
def test_a_mutated_answers_file_reads_the_same_on_both_paths(monkeypatch, at, cut, inserted):
    assert_same(monkeypatch, (MINIMAL[:at] + inserted + MINIMAL[at + cut:]).encode("utf-8", "surrogatepass"))


def test_text_that_is_not_unicode_text_is_refused_the_same(monkeypatch):
    """A lone surrogate in a str (the web front end passes text, not bytes) cannot even be handed to libyaml."""
    reports = []
    for libyaml in (True, False):
        monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
        with pytest.raises(AnswersError) as info:
            parse_with_lines("model: \ud800\n", "a.yaml")
        reports.append(str(info.value))
    assert reports[0] == reports[1] and "#xd800" in reports[0]
