"""The clause library check: the real library is sound, and each lint rule catches the mistake it is named after.

Every rule of contracts.library's registry has a case below that makes its fault in the small fixture library and
sees that rule (not merely some rule) report it; a new rule without a case fails test_every_rule_has_a_case.
"""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
import yaml

from contracts.answers import validate_answers
from contracts.assembly import assemble
from contracts.library import (
    LIBRARY_RULES,
    SCHEMA_FILE,
    TEXT_RULES,
    LibraryError,
    check,
    default_library,
    load_library,
    run_rule,
    schema_text,
)
from contracts.paths import CLAUSES_DIR
from contracts.risk import check_rules, findings, load_riskbook
from tests.conftest import FIXTURES, keiyaku

MINI = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")


def test_real_library_passes_the_check():
    lib = default_library()
    assert check(lib) == []
    assert len(lib.documents) >= 8
    assert len(lib.clauses) >= 60


def test_clauses_check_command_passes():
    result = keiyaku("clauses", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_every_variant_has_a_full_annotation():
    for clause in default_library().clauses.values():
        for v in clause.variants:
            a = v.annotation
            assert all([a.summary, a.provider.benefit, a.provider.risk, a.recipient.benefit, a.recipient.risk,
                        a.issue, a.direction, a.references]), f"{clause.id}.{v.id}"


def test_negotiation_points_have_three_stances():
    """Licence scope, derived data, liability, confidentiality survival and publication are negotiated."""
    lib = default_library()
    for cid in ("common_liability", "common_confidentiality"):
        stances = {s for v in lib.clauses[cid].variants for s in v.stance}
        assert stances == {"provider", "balanced", "recipient"}, cid


def mini(tmp_path, old="", new="", extra=""):
    """The fixture library with one text replaced (the replaced text must be there)."""
    assert old in MINI, old
    (tmp_path / "mini.yaml").write_text(MINI.replace(old, new, 1) + extra, encoding="utf-8")
    return load_library(tmp_path)


def _duplicate_clause(tmp_path):
    second = "clauses:\n" + MINI.split("clauses:\n", 1)[1].split("  - id: t_personal", 1)[0]
    (tmp_path / "more.yaml").write_text(second, encoding="utf-8")
    return mini(tmp_path)


def _broken_sources(tmp_path):
    sources = (CLAUSES_DIR / "sources.yaml").read_text(encoding="utf-8")
    entry = "  - id: civil_code_1_2\n    kind: statute\n    title: 民法\n"
    assert entry in sources
    (tmp_path / "sources.yaml").write_text(sources.replace(entry, entry.replace("民法", "''"), 1), encoding="utf-8")
    return mini(tmp_path)


ARTICLES = "articles: [t_purpose, t_personal, t_scope, t_refs, t_survival]"
NARROW = "          - text: 狭い許諾とする（{{ vars.years }}年）。\n"
# rule name -> (how to make the fault, a phrase of the message the rule must give)
CASES = {
    "unique_ids": (_duplicate_clause, "duplicate clause id 't_purpose'"),
    "sources_sound": (_broken_sources, "missing title"),
    "conditions_well_formed": (
        lambda t: mini(t, "{field: data.personal_info, not_in: [none]}\n    survives",
                       "{field: data.personal_infos, not_in: [none]}\n    survives"),
        "answers field 'data.personal_infos' does not exist",
    ),
    "articles_exist": (lambda t: mini(t, ARTICLES, ARTICLES.replace("]", ", t_nowhere]")), "'t_nowhere' is not a clause"),
    "articles_listed_once": (lambda t: mini(t, ARTICLES, ARTICLES.replace("]", ", t_purpose]")), "listed twice"),
    "schedules_exist": (lambda t: mini(t, "schedules: [t_schedule]", "schedules: [t_schedule, t_none]"),
                        "schedule 't_none' does not exist"),
    "signers_named": (lambda t: mini(t, "      recipient: {kouotsu: 乙, roles: 受領者}\n", ""),
                      "signer 'recipient' has no entry in names"),
    "repeat_for_exists": (lambda t: mini(t, "    order: 10\n", "    order: 10\n    repeat_for: deal.pupils\n"),
                          "answers field 'deal.pupils' does not exist"),
    "schedules_used": (
        lambda t: mini(t, "schedules:\n  - id: t_schedule\n",
                       "schedules:\n  - id: t_unused\n    title: 未使用\n    rows: [{label: a, value: b}]\n"
                       "  - id: t_schedule\n"),
        "schedule t_unused: not used by any document",
    ),
    "clauses_listed": (lambda t: mini(t, ARTICLES, ARTICLES.replace(", t_survival", "")),
                       "clause t_survival: not listed in any document's articles"),
    "variant_ids_unique": (lambda t: mini(t, "      - id: wide\n", "      - id: narrow\n"), "duplicate variant ids"),
    "choose_by_valid": (lambda t: mini(t, "    heading: 利用許諾\n", "    heading: 利用許諾\n    choose_by: deal.scope\n"),
                        "answers field 'deal.scope' does not exist"),
    "stances_covered": (lambda t: mini(t, "stance: [balanced, recipient]", "stance: [balanced]"),
                        "stance 'recipient' is covered by 0 variants"),
    "paragraph_keys_unique": (lambda t: mini(t, NARROW, NARROW.replace("- text:", "- key: limits\n            text:")),
                              "duplicate paragraph keys"),
    "relative_references_stable": (lambda t: mini(t, "を参照する。{%", "を参照する。次項に従う。{%"),
                                   "「次項」 refers to a paragraph that a condition may drop"),
    "annotations_complete": (lambda t: mini(t, "summary: 目的を定める。", "summary: ''"), "annotation.summary: empty"),
    "annotation_references_valid": (lambda t: mini(t, "references: [civil_code_1_2]", "references: [civil_code_0]"),
                                    "civil_code_0"),
    "no_control_tags": (
        lambda t: mini(t, "summary: 目的を定める。", "summary: 目的を{% if model == 'hackathon' %}広く{% endif %}定める。"),
        "annotation.summary: Jinja control tags (if)",
    ),
    "no_placeholders": (lambda t: mini(t, "広い許諾とする", "〇〇に許諾する"), "leftover placeholder"),
    "no_python_internals": (lambda t: mini(t, "{{ deal.purpose }}", "{{ deal.__class__ }}"), "Python internals"),
    "no_typed_article_numbers": (lambda t: mini(t, "広い許諾とする", "第5条に従い許諾する"), "article number '第5条'"),
    "no_typed_paragraph_numbers": (lambda t: mini(t, "広い許諾とする", "第2項に従い許諾する"), "'第2項' typed by hand"),
    "jinja_syntax": (lambda t: mini(t, "{{ deal.purpose }}", "{{ deal.purpose }"), "Jinja syntax error"),
    "known_names": (lambda t: mini(t, "{{ deal.purpose }}", "{{ purpose }}"), "unknown name 'purpose'"),
    "answer_fields_exist": (lambda t: mini(t, "{{ deal.purpose }}", "{{ deal.purpos }}"),
                            "answers field 'deal.purpos' does not exist"),
    "vars_defined": (lambda t: mini(t, "狭い許諾とする（{{ vars.years }}", "狭い許諾とする（{{ vars.months }}"),
                     "vars.months is not defined"),
    "facts_exist": (lambda t: mini(t, "{{ deal.purpose }}", "{{ facts.purpose }}"), "facts.purpose is not a deal fact"),
    "references_known": (lambda t: mini(t, "{{ ref('t_scope') }}、", "{{ ref('t_nowhere') }}、"),
                         "unknown clause 't_nowhere'"),
    "references_resolve": (lambda t: mini(t, "{{ ref('t_scope', 'limits') }}", "{{ ref('t_scope', 'scope') }}"),
                           "paragraph key 'scope' is missing"),
    "own_keys_exist": (lambda t: mini(t, "次の行為を禁止する。", "次の行為（{{ para('bans') }}）を禁止する。"),
                       "para('bans'): no paragraph with that key"),
    "schedules_attached": (lambda t: mini(t, "{{ schedule('t_schedule') }}", "{{ schedule('t_other') }}"),
                           "schedule(t_other) is not a schedule"),
    "titles_known": (lambda t: mini(t, "{{ deal.purpose }}", "{{ title('manual') }}"), "title(manual) is not a document"),
}


def test_every_rule_has_a_case_and_a_one_line_docstring():
    rules = {**LIBRARY_RULES, **TEXT_RULES}
    assert set(CASES) == set(rules)
    for name, fn in rules.items():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip(), name


def test_the_fixture_library_is_clean(tmp_path):
    assert check(mini(tmp_path)) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_catches_its_fault(tmp_path, rule):
    make, phrase = CASES[rule]
    lib = make(tmp_path)
    errors = run_rule(lib, rule)
    assert any(phrase in e for e in errors), errors
    assert set(errors) <= set(check(lib))  # check() runs every rule of the registry


def test_whether_an_article_is_in_the_document_may_choose(tmp_path):
    """has() is no answer that a condition could read: a text may still test it."""
    lib = mini(tmp_path, "summary: 目的を定める。", "summary: 目的を{% if not has('t_refs') %}広く{% else %}狭く{% endif %}定める。")
    assert run_rule(lib, "no_control_tags") == []


def test_missing_annotation_field_fails_to_load(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI.replace("          issue: 目的の広さ。\n", ""), encoding="utf-8")
    with pytest.raises(LibraryError, match="issue"):
        load_library(tmp_path)


def test_statute_citation_is_not_a_typed_article_number(tmp_path):
    assert run_rule(mini(tmp_path, "広い許諾とする", "民法第548条の2に従い許諾する"), "no_typed_article_numbers") == []


# ----------------------------------------------------------------- choices as data: when / choose pieces

PIECES = """summary:
            - 目的を定める。
            - when: {field: data.personal_info, not_in: [none]}
              text: 個人情報を含む（{{ labels.personal_info[data.personal_info] }}）。
            - choose:
                - when: {field: stance, is: provider}
                  text: 提供者の{{ deal.purpose }}を守る。
                - text: 双方に配慮する。"""


def minimal(**changes):
    data = yaml.safe_load((FIXTURES / "answers_minimal.yaml").read_text(encoding="utf-8"))
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        node[last] = value
    return validate_answers(data)


def test_annotation_pieces_follow_the_answers(tmp_path):
    lib = mini(tmp_path, "summary: 目的を定める。", PIECES)
    assert check(lib) == []
    purpose = minimal().deal.purpose
    provider = assemble(minimal(data__personal_info="anonymized", stance="provider"), lib, "mini").articles
    assert provider[0].annotation.summary == f"目的を定める。個人情報を含む（匿名加工情報）。提供者の{purpose}を守る。"
    balanced = assemble(minimal(data__personal_info="none"), lib, "mini").articles[0]
    assert balanced.annotation.summary == "目的を定める。双方に配慮する。"
    # the other variants' summaries, listed as alternatives, are resolved for the same deal
    assert provider[2].annotation.alternatives == (
        f"wide（中立）: 目的を定める。個人情報を含む（匿名加工情報）。提供者の{purpose}を守る。",
    )


def test_a_wrong_condition_in_a_piece_is_reported(tmp_path):
    lib = mini(tmp_path, "summary: 目的を定める。", PIECES.replace("field: stance", "field: stances"))
    assert any("annotation.summary[2].choose[0].when: answers field 'stances' does not exist" in e
               for e in run_rule(lib, "conditions_well_formed"))


RULES = """rules:
  - id: t_rule
    severity: 低
    when: {field: data.personal_info, not_in: [none]}
    message:
      - 「{{ data.title }}」を
      - choose:
          - when: {field: stance, is: provider}
            text: 提供者の側
          - text: 相手方
      - に渡します。
    action: 確認してください。
    basis: [civil_code_1_2]
"""


def test_rule_messages_choose_their_words_by_condition(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    book = load_riskbook(tmp_path)
    assert [e for e in check_rules(book, set()) if "profiles" not in e] == []
    title = minimal().data.title
    (provider,) = findings(minimal(stance="provider"), book)
    assert provider.message == f"「{title}」を提供者の側に渡します。"
    (balanced,) = findings(minimal(), book)
    assert balanced.message == f"「{title}」を相手方に渡します。"


def test_a_control_tag_in_a_rule_message_is_reported(tmp_path):
    shutil.copy(FIXTURES / "library" / "mini.yaml", tmp_path / "mini.yaml")
    (tmp_path / "rules.yaml").write_text(RULES.replace("- に渡します。", "- '{% if deal.purpose %}に渡します。{% endif %}'"),
                                         encoding="utf-8")
    assert any("rules.yaml: rule t_rule.message: Jinja control tags (if)" in e
               for e in run_rule(load_library(tmp_path), "no_control_tags"))


# ----------------------------------------------------------------- the JSON Schema of the format


def _as_editors_read(path):
    """A YAML file as an editor's YAML language server sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_schema_file_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run: python -m contracts.library"


@pytest.mark.parametrize("path", sorted(CLAUSES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_library_file_validates_against_the_schema(path):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_as_editors_read(path))]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects():
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    ann = {"summary": "s", "favours": "balanced", "provider": {"benefit": "b", "risk": "r"},
           "recipient": {"benefit": "b", "risk": "r"}, "issue": "i", "direction": "d", "references": ["x"]}
    clause = {"id": "c", "heading": "h", "variants": [{"id": "v", "paragraphs": [{"text": "p"}], "annotation": ann}]}
    assert validator.is_valid({"clauses": [clause]})
    bad_piece = {**ann, "summary": ["s", {"text": "no condition"}]}
    bad_operator = {**ann, "summary": [{"when": {"field": "model", "equals": "hackathon"}, "text": "t"}]}
    for annotation in (bad_piece, bad_operator, {**ann, "favours": "everyone"}):
        assert not validator.is_valid({"clauses": [{**clause, "variants": [{**clause["variants"][0],
                                                                              "annotation": annotation}]}]})


def test_clauses_show_prints_pieces_with_their_conditions():
    shown = keiyaku("clauses", "show", "nda_definition").output
    assert "概要: ［when {'field': 'deal.nda_data', 'is': 'sample'}: 本契約で開示するデータは" in shown
    assert "WhenPiece" not in shown and "ChoosePiece" not in shown


def test_clause_text_pieces_follow_the_answers_and_count_as_read(tmp_path):
    from contracts.crosscheck import paths_read_by

    lib = mini(tmp_path, "          - text: 本契約は、{{ deal.purpose }}を目的とする。\n",
               "          - text:\n              - 本契約は、{{ deal.purpose }}を目的とする。\n"
               "              - when: {field: data.know_how, is: true}\n"
               "                text: ノウハウを含む。\n")
    assert check(lib) == []
    purpose = minimal().deal.purpose
    plain = assemble(minimal(), lib, "mini").articles[0].paragraphs[0].text
    assert plain == f"本契約は、{purpose}を目的とする。"
    know_how = assemble(minimal(data__know_how=True), lib, "mini").articles[0].paragraphs[0].text
    assert know_how == f"本契約は、{purpose}を目的とする。ノウハウを含む。"
    assert "data.know_how" in paths_read_by(lib, "data_provision")
