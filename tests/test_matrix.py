"""The meaning checks over a matrix of answer combinations: every set assembles and has zero problems.

240 combinations: every model × stance × execution × personal-data category × party kind, and each model's own
switches, drawn deterministically so that every value of every dimension appears (a covering design, not the
full product, which would be tens of thousands of sets).
"""

from __future__ import annotations

import copy

import pytest
import yaml

from contracts import consistency, crosscheck
from contracts.answers import validate_answers
from contracts.assembly import assemble_set
from contracts.library import default_library
from tests.conftest import ROOT

MODELS = ("hackathon", "paid_consulting", "joint_research", "data_provision")
STANCES = ("provider", "balanced", "recipient")
EXECUTION = ("electronic", "paper")
PERSONAL = ("none", "statistical", "anonymized", "consented")
PARTY_KINDS = ("corporation", "individual", "individual_business", "university")
CAPS = ("fee", "fixed", "none")

SWITCHES = {
    "hackathon": [
        ("deal.hackathon.deliverable_rights", ["license", "assign_winners", "open"]),
        ("deal.hackathon.prize_payer", ["provider", "organiser"]),
        ("deal.hackathon.costs_payer", ["provider", "organiser", "shared"]),
        ("deal.hackathon.competitors_allowed", [False, True]),
        ("deal.learners.minors", [False, True]),
        ("data.protection", ["trade_secret", "limited_provision", "contract_only"]),
        ("deal.generative_ai", ["prohibited", "approved_only"]),
    ],
    "paid_consulting": [
        ("deal.consulting.contract_type", ["quasi_mandate", "work"]),
        ("deal.consulting.fee_basis", ["outcome", "performance"]),
        ("deal.consulting.deliverables_owner", ["provider", "consultant", "split"]),
        ("deal.consulting.teaching_reuse", [True, False]),
        ("deal.learners.selection", ["open", "selected"]),
        ("deal.learners.paid", [False, True]),
        ("deal.publication.allowed", [True, False]),
    ],
    "joint_research": [
        ("deal.research.results_owner", ["university", "joint", "company"]),
        ("deal.research.non_practice_compensation", ["royalty", "negotiate", "none"]),
        ("deal.research.export_control", ["unchecked", "controlled", "not_controlled"]),
        ("deal.research.thesis_use", [True, False]),
        ("deal.research.teaching_use", [False, True]),
        ("students", ["named", "none"]),
        ("deal.deletion.method", ["delete", "return", "delete_or_return"]),
    ],
    "data_provision": [
        ("deal.learners.receive_raw_data", [True, False]),
        ("deal.course.materials_publication", ["approval", "none", "free"]),
        ("deal.fee.kind", ["per_learner", "fixed", "free"]),
        ("deal.derived_data", ["shared", "provider", "recipient"]),
        ("deal.learners.minors", [False, True]),
        ("data.protection", ["trade_secret", "limited_provision", "contract_only"]),
        ("deal.deletion.certificate", [True, False]),
    ],
}

INDIVIDUAL = {"name": "山田 花子", "address": "東京都新宿区西新宿二丁目8番1号", "kind": "individual"}
UNIVERSITY = {"name": "国立大学法人東海技術大学", "address": "愛知県名古屋市千種区不老町1番",
              "representative": {"title": "学長", "name": "青木 一郎"}, "kind": "national_university"}


def _set(data: dict, path: str, value) -> None:
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value


def combination(i: int) -> dict:
    model = MODELS[i % 4]
    data = yaml.safe_load((ROOT / "examples" / f"{model}.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["stance"] = STANCES[(i // 4) % 3]
    data["deal"]["execution"] = EXECUTION[(i // 12) % 2]
    data["parties"]["naming"] = ("kouotsu", "roles")[(i // 7) % 2]
    personal = PERSONAL[(i // 24) % 4]
    data["data"]["personal_info"] = personal
    data["data"]["anonymized_publication"] = personal == "anonymized"
    data["data"]["sensitive"] = personal == "consented" and i % 5 == 0
    kind = PARTY_KINDS[(i // 3) % 4]
    side = "recipient" if model != "joint_research" else "provider"
    if kind == "individual":
        data["parties"][side] = dict(INDIVIDUAL)
    elif kind == "individual_business":
        data["parties"][side] = dict(INDIVIDUAL, acts_as_business=True)
    elif kind == "university" and model != "joint_research":
        data["parties"]["recipient"] = dict(UNIVERSITY)
    cap = CAPS[(i // 5) % 3]
    data["deal"]["liability_cap"] = {"kind": "fixed", "amount_yen": 1_000_000} if cap == "fixed" else {"kind": cap}
    if i % 6 == 0:
        data["deal"].pop("nda_date", None)
    if i % 9 == 0:
        data["deal"].pop("contract_date", None)
        data["deal"].pop("nda_date", None)
    for n, (path, values) in enumerate(SWITCHES[model]):
        value = values[(i // 4 + n * 5) % len(values)]
        if path == "students":
            if value == "none":
                data["deal"]["research"]["students"] = []
            continue
        _set(data, path, value)
    if model == "joint_research":
        research = data["deal"]["research"]
        if research["non_practice_compensation"] != "royalty":
            research.pop("royalty_percent", None)
            research.pop("in_house_royalty_percent", None)
    if model == "data_provision":
        fee = data["deal"]["fee"]
        if fee["kind"] == "free":
            data["deal"]["fee"] = {"kind": "free"}
            if cap == "fee":
                data["deal"]["liability_cap"] = {"kind": "none"}
        elif fee["kind"] == "fixed":
            data["deal"]["fee"] = {"kind": "fixed", "amount_yen": 800_000, "due": fee["due"]}
    return data


COMBINATIONS = 240


def test_matrix_covers_every_value():
    seen: dict[str, set] = {}
    for i in range(COMBINATIONS):
        d = combination(i)
        for key, value in (("model", d["model"]), ("stance", d["stance"]), ("execution", d["deal"]["execution"]),
                           ("personal", d["data"]["personal_info"])):
            seen.setdefault(key, set()).add(value)
    assert seen["model"] == set(MODELS) and seen["stance"] == set(STANCES)
    assert seen["execution"] == set(EXECUTION) and seen["personal"] == set(PERSONAL)
    # each model's switches: every value appears for that model
    for model in MODELS:
        rows = [combination(i) for i in range(COMBINATIONS) if MODELS[i % 4] == model]
        for path, values in SWITCHES[model]:
            if path == "students":
                continue
            got = set()
            for r in rows:
                node = r
                for p in path.split("."):
                    node = node.get(p, {}) if isinstance(node, dict) else None
                got.add(node if not isinstance(node, dict) else None)
            assert set(values) <= got, (model, path, got)


@pytest.mark.parametrize("start", range(0, COMBINATIONS, 40))
def test_every_combination_assembles_with_zero_problems(start):
    lib = default_library()
    failures = []
    for i in range(start, start + 40):
        answers = validate_answers(combination(i))
        crosscheck.refuse_contradictions(answers)
        docs = assemble_set(answers, lib)
        for p in consistency.check_set(answers, docs, lib):
            failures.append(f"#{i} {answers.model}/{answers.stance}: {p.line()}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} problems)"
