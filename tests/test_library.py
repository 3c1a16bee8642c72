"""The clause library check: the real library is sound, and each kind of mistake a lawyer can make is caught."""

from __future__ import annotations

import subprocess

import pytest

from contracts.library import check, default_library, load_library
from tests.conftest import FIXTURES, KEIYAKU

MINI = (FIXTURES / "library" / "mini.yaml").read_text(encoding="utf-8")


def test_real_library_passes_the_check():
    lib = default_library()
    assert check(lib) == []
    assert len(lib.documents) >= 8
    assert len(lib.clauses) >= 60


def test_clauses_check_command_passes():
    result = subprocess.run(KEIYAKU + ["clauses", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
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


def broken(tmp_path, old, new, extra=""):
    (tmp_path / "mini.yaml").write_text(MINI.replace(old, new) + extra, encoding="utf-8")
    return check(load_library(tmp_path))


def test_duplicate_ids_are_reported(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    second = "clauses:\n" + MINI.split("clauses:\n", 1)[1].split("  - id: t_personal", 1)[0]
    (tmp_path / "more.yaml").write_text(second, encoding="utf-8")
    assert any("duplicate clause id 't_purpose'" in e for e in check(load_library(tmp_path)))


def test_dangling_reference_is_reported(tmp_path):
    errors = broken(tmp_path, "{{ ref('t_scope') }}", "{{ ref('t_nowhere') }}")
    assert any("unknown clause 't_nowhere'" in e for e in errors)
    errors = broken(tmp_path, "[t_purpose, t_personal, t_scope, t_refs, t_survival]", "[t_purpose, t_personal, t_refs, t_survival]")
    assert any("ref('t_scope') dangles in document mini" in e for e in errors)


def test_unknown_answer_field_is_reported(tmp_path):
    errors = broken(tmp_path, "{field: data.personal_info, not_in: [none]}\n    survives", "{field: data.personal_infos, not_in: [none]}\n    survives")
    assert any("answers field 'data.personal_infos' does not exist" in e for e in errors)
    errors = broken(tmp_path, "{{ deal.purpose }}", "{{ deal.purpos }}")
    assert any("answers field 'deal.purpos' does not exist" in e for e in errors)


def test_missing_annotation_field_fails_to_load(tmp_path):
    from contracts.library import LibraryError

    (tmp_path / "mini.yaml").write_text(MINI.replace("          issue: 目的の広さ。\n", ""), encoding="utf-8")
    with pytest.raises(LibraryError, match="issue"):
        load_library(tmp_path)


@pytest.mark.parametrize("placeholder", ["〇〇", "○○", "TODO"])
def test_leftover_placeholder_is_reported(tmp_path, placeholder):
    errors = broken(tmp_path, "広い許諾とする", f"{placeholder}に許諾する")
    assert any("leftover placeholder" in e for e in errors)


def test_typed_article_number_is_reported_but_statute_citation_is_not(tmp_path):
    errors = broken(tmp_path, "広い許諾とする", "第5条に従い許諾する")
    assert any("typed by hand" in e for e in errors)
    assert not any("typed by hand" in e for e in broken(tmp_path, "広い許諾とする", "民法第548条の2に従い許諾する"))


def test_python_internals_in_text_are_reported(tmp_path):
    errors = broken(tmp_path, "{{ deal.purpose }}", "{{ deal.__class__ }}")
    assert any("Python" in e for e in errors)


def test_stance_coverage_is_checked(tmp_path):
    errors = broken(tmp_path, "stance: [balanced, recipient]", "stance: [balanced]")
    assert any("stance 'recipient' is covered by 0 variants" in e for e in errors)
