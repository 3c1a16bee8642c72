"""Hostile answers files: every case ends in a clear AnswersError (exit status 2), quickly, never a traceback or a hang.

KEIYAKU_LONG_FUZZ=1 raises the number of random examples (see docs/security.md).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError

from contracts.answers import MAX_ANSWERS_BYTES, AnswersError, answers_from_bytes, validate_answers
from contracts.assembly import AssemblyError, assemble
from tests.conftest import FIXTURES, keiyaku

LONG = os.environ.get("KEIYAKU_LONG_FUZZ") == "1"
MINIMAL = (FIXTURES / "answers_minimal.yaml").read_bytes()

BOMB = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

CASES = {
    "empty": (b"", "a.yaml"),
    "only a comment": (b"# nothing\n", "a.yaml"),
    "a scalar": (b"hello\n", "a.yaml"),
    "a list": (b"- 1\n- 2\n", "a.yaml"),
    "unclosed flow": (b"model: [data_provision\n", "a.yaml"),
    "bad indentation": (b"model: x\n  stance: y\n bad: z\n", "a.yaml"),
    "colon soup": (b": : :\n", "a.yaml"),
    "duplicate key": (b"model: hackathon\nmodel: data_provision\n", "a.yaml"),
    "python tag": (b"model: !!python/object/apply:os.system ['echo pwned']\n", "a.yaml"),
    "unknown tag": (b"model: !custom x\n", "a.yaml"),
    "billion laughs": (BOMB, "a.yaml"),
    "merge key alias": (b"base: &b {x: 1}\nother:\n  <<: *b\n", "a.yaml"),
    "deep flow nesting": (b"[" * 200_000, "a.yaml"),
    "deep block nesting": ("".join("  " * i + "k:\n" for i in range(2000)).encode(), "a.yaml"),
    "deep json": (b"[" * 200_000, "a.json"),
    "malformed json": (b'{"model": "hackathon",}', "a.json"),
    "json not an object": (b"[1, 2, 3]", "a.json"),
    "too large": (b"#" * (MAX_ANSWERS_BYTES + 1), "a.yaml"),
    "just under the limit, one scalar": (b"x: " + b"a" * (MAX_ANSWERS_BYTES - 10), "a.yaml"),
    "just under the limit, many values": (b"items:\n" + b"- a\n" * (MAX_ANSWERS_BYTES // 4 - 4), "a.yaml"),
    "not UTF-8": (b"model: \x82\xa0\x82\xa2\n", "a.yaml"),
    "UTF-16": ("model: hackathon\n".encode("utf-16"), "a.yaml"),
    "lone surrogate bytes": (b"model: \xed\xa0\x80\n", "a.yaml"),
    "NUL byte": (b"model: data\x00_provision\n", "a.yaml"),
    "NUL in a value": (MINIMAL.replace("株式会社テスト商事".encode(), b"\x00"), "a.yaml"),
    "tab indentation": (b"model: hackathon\nparties:\n\tprovider: x\n", "a.yaml"),
    "control character in a value": (MINIMAL.replace("株式会社テスト商事".encode(), "株式\u0007会社".encode()), "a.yaml"),
    "escaped control character": (MINIMAL.replace("株式会社テスト商事".encode(), b'"\\x0c\\u0000"'), "a.yaml"),
    "huge integer": (MINIMAL.replace(b"amount_yen: 500000", b"amount_yen: " + b"9" * 5000), "a.yaml"),
    "float infinity": (MINIMAL.replace(b"amount_yen: 500000", b"amount_yen: .inf"), "a.yaml"),
    "wrong types": (b"model: 1\nstance: [a]\nparties: 3\ndata: null\ndeal: {}\n", "a.yaml"),
}


@pytest.mark.parametrize("raw,source", list(CASES.values()), ids=list(CASES))
def test_hostile_input_is_a_clear_answers_error(raw, source):
    """Bounded by the loader's size, depth and node limits (not by a clock: no test asserts a time)."""
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(raw, source)
    assert info.value.problems and all(field and message for field, message in info.value.problems)
    assert str(info.value).startswith(f"{source}: 回答に誤りがあります")  # answers are not valid


def test_a_bom_and_crlf_line_ends_are_accepted():
    answers_from_bytes(b"\xef\xbb\xbf" + MINIMAL.replace(b"\n", b"\r\n"), "bom.yaml")


@settings(max_examples=2000 if LONG else 150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_escape_as_anything_but_answers_error(raw):
    with pytest.raises(AnswersError):
        answers_from_bytes(raw, "random.yaml")


def _mutations():
    """Splices of any code point, surrogates included (as raw UTF-8-encoded bytes), or of a YAML escape of one."""
    text = MINIMAL.decode()
    any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
    escapes = st.sampled_from(['"\\ud800"', '"a\\udfffb"', '"\\u202e"', '"\\u200b"', '"\\ue000"', '"\\x1b[2J"'])
    inserted = st.one_of(st.text(alphabet=any_char, max_size=20), escapes)
    return st.tuples(st.integers(0, len(text)), st.integers(0, 40), inserted).map(
        lambda t: (text[: t[0]] + t[2] + text[t[0] + t[1]:]).encode("utf-8", "surrogatepass")
    )


@settings(max_examples=1000 if LONG else 60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_mutated_answers_file_loads_or_is_refused_cleanly(raw):
    try:
        answers_from_bytes(raw, "mutated.yaml")
    except AnswersError as exc:
        assert exc.problems


# Issue 15: inputs that were silently accepted, or ended as internal errors, and now name the field and its line.
M = MINIMAL.decode()
JSON_MINIMAL = __import__("json").dumps(__import__("yaml").safe_load(M), ensure_ascii=False, default=str)
NAMED = {
    "a date that does not exist": (M.replace("contract_date: 2027-04-01", "contract_date: 2027-02-30"), "a.yaml",
                                   "deal.contract_date", 28),
    "a date as a number": (M.replace("contract_date: 2027-04-01", "contract_date: 0"), "a.yaml", "deal.contract_date", 28),
    "a date with a time": (M.replace("contract_date: 2027-04-01", "contract_date: 2027-04-01 10:00:00"), "a.yaml",
                           "deal.contract_date", 28),
    "a flag as the text 1": (M.replace("  personal_info: statistical", '  personal_info: statistical\n  sensitive: "1"'),
                             "a.yaml", "data.sensitive", 25),
    "a flag as 1": (M.replace("  personal_info: statistical", "  personal_info: statistical\n  sensitive: 1"), "a.yaml",
                    "data.sensitive", 25),
    "a whole number as 24.0": (M.replace("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  term_months: 24.0"), "a.yaml",
                               "deal.term_months", 32),
    "a whole number in kanji": (M.replace("  court: 東京地方裁判所", '  court: 東京地方裁判所\n  term_months: 二十四'), "a.yaml",
                                "deal.term_months", 32),
    "10**18 learners": (M.replace("  court: 東京地方裁判所", "  court: 東京地方裁判所\n  learners: {count: 1000000000000000000}"),
                        "a.yaml", "deal.learners.count", 32),
    "a zero-width party name": (M.replace("name: 株式会社テスト商事", 'name: "\\u200b"'), "a.yaml",
                                "parties.provider.name", 5),
    "a lone surrogate in an item": (M.replace("items: [日付,", 'items: ["天候\\ud800区分", 日付,'), "a.yaml",
                                    "data.items[0]", 17),
    "a surrogate in JSON": (JSON_MINIMAL.replace('"日付"', '"\\ud800"'), "a.json", "data.items[0]", None),
    "a key that is a list": (M + "? [a, b]\n: x\n", "a.yaml", "(file)", 33),
    "a key that is a mapping": (M.replace("stance: balanced", "stance: balanced\n{a: 1}: x"), "a.yaml", "(file)", 3),
    "JSON duplicate keys": (JSON_MINIMAL.replace('"model": "data_provision"', '"model": "hackathon", "model": "data_provision"'),
                            "a.json", "(file)", None),
    "JSON NaN": (JSON_MINIMAL.replace("500000", "NaN"), "a.json", "(file)", None),
}


@pytest.mark.parametrize("text,source,field,line", list(NAMED.values()), ids=list(NAMED))
def test_ambiguous_or_invalid_values_are_refused_naming_field_and_line(text, source, field, line):
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(text.encode("utf-8", "surrogatepass"), source)
    assert [f for f, _ in info.value.problems] == [field]
    if line:
        assert str(info.value).endswith(f"（{line}行目）")
        assert field == "(file)" or f"（{field}）: " in str(info.value)
    assert "Traceback" not in str(info.value)


def test_an_escape_sequence_in_an_unknown_key_is_not_sent_to_the_terminal():
    text = M.replace("stance: balanced", 'stance: balanced\n"x\\e[2J\\e]0;owned\\a": 1')
    with pytest.raises(AnswersError) as info:
        answers_from_bytes(text.encode(), "a.yaml")
    shown = str(info.value)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "x\\x1b[2J\\x1b]0;owned\\x07: この項目は回答ファイルにありません" in shown  # unknown field


CLI_CASES = ["billion laughs", "deep flow nesting", "not UTF-8", "NUL byte", "just under the limit, many values", "too large"]


@pytest.mark.parametrize("case", CLI_CASES)
def test_validate_on_hostile_files_exits_2_without_a_traceback(case, tmp_path):
    raw, source = CASES[case]
    path = tmp_path / source
    path.write_bytes(raw)
    result = keiyaku("validate", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")


# --------------------------------------------------------------------------- sandboxed library templates


def _library_with(text: str):
    from contracts.library import load_library

    lib = load_library(FIXTURES / "library")
    clause = next(iter(lib.clauses.values()))
    variant = clause.variants[0]
    para = variant.paragraphs[0].model_copy(update={"text": text, "when": None})
    lib.clauses[clause.id] = clause.model_copy(
        update={"when": None, "variants": [variant.model_copy(update={"paragraphs": [para]})]}
    )
    doc = next(d for d in lib.documents.values() if clause.id in d.articles)
    return lib, doc


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ provider.__class__ }}",
        "{{ deal.__init__.__globals__ }}",
        "{{ ref.__globals__['__builtins__'] }}",
        "{{ data.__class__.__base__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ yen.__code__ }}",
    ],
)
def test_crafted_library_text_cannot_reach_python_internals(text):
    """Clause texts render in a sandboxed Jinja environment: an attempt at __class__ & co. fails assembly."""
    lib, doc = _library_with(text)
    answers = validate_answers(__import__("yaml").safe_load(MINIMAL))
    answers = answers.model_copy(update={"model": doc.models[0]}) if answers.model not in doc.models else answers
    with pytest.raises((SecurityError, AssemblyError)) as info:
        assemble(answers, lib, doc.id)
    message = str(info.value)
    assert "unsafe" in message or "SecurityError" in message or "undefined" in message.lower(), message
    assert "<class" not in message and "subclasses" not in message.split(":")[-1]


def test_library_environment_is_sandboxed():
    from jinja2.sandbox import SandboxedEnvironment

    from contracts.library import default_library

    assert isinstance(default_library().env, SandboxedEnvironment)
    with pytest.raises(SecurityError):
        default_library().template("{{ x.__class__.__mro__ }}").render(x="")
