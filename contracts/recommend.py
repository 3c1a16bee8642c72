"""Which provision model fits the provider: hard limits first, then the goals; a tie is a tie.

The four models' benefit profiles are data (clauses/models.yaml). A model that breaks a hard limit of this deal
(the provider's budget, how many people may receive the data) is excluded with the reason, judged on this deal's
facts where the answers give them (learner count, named students, the fee and prizes). A model that serves none of
the stated goals is never recommended. When two models lead with the same score the verdict says so and what would
decide between them; when nothing fits, it says so and names the nearest lawful set-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import facts as deal_facts
from contracts.answers import MODEL_IDS, Answers, AnswersError
from contracts.messages import text
from contracts.risk import RiskBook, default_riskbook

_LEVEL = {"low": 0, "medium": 1, "high": 2}
_JA = {"low": "低", "medium": "中", "high": "高"}


@dataclass(frozen=True)
class Ranked:
    model: str
    label: str
    score: int
    reasons: tuple[str, ...]
    eligible: bool = True
    excluded: tuple[str, ...] = ()  # why the model breaks a hard limit or serves no goal


@dataclass(frozen=True)
class Verdict:
    status: str  # lead | tie | none
    models: tuple[str, ...]  # lead: the one model; tie: the tied models; none: the nearest set-up's model
    text: str  # for people, in Japanese

    @property
    def recommended(self) -> str | None:
        return self.models[0] if self.status == "lead" else None


def _recipients(answers: Answers, model: str, book: RiskBook) -> tuple[int, str]:
    """How many people would receive the data under ``model`` for this deal, and where the number comes from."""
    deal = answers.deal
    research = getattr(deal, "research", None)
    learners = getattr(deal, "learners", None)
    if model == "joint_research" and research is not None and research.students:
        return len(research.students) + 1, f"研究代表者と学生{len(research.students)}名"
    if model != "joint_research" and learners is not None and learners.count:
        return learners.count, f"受講者・参加者{learners.count}名（回答による）"
    profile = book.profiles[model]
    n = book.recipients_min.get(profile.recipients, 1)
    return n, f"このモデルで通常データが渡る人数（{n}名以上）"


def _provider_cost(answers: Answers, model: str, book: RiskBook) -> tuple[int, str]:
    """The provider's outlay under ``model``: this deal's own money for the answers' model, else the typical one."""
    if model == getattr(answers, "model", "auto"):
        f = deal_facts.of(answers)
        if model == "data_provision":
            return 0, "データ提供型では提供者が対価を受け取る"
        cost = (f.fee_total_yen or 0) + (f.prizes_total_yen if answers.deal.hackathon and
                                          answers.deal.hackathon.prize_payer == "provider" else 0)
        return cost, f"本件の{f.fee_term}{'と賞金' if f.prizes_total_yen else ''}の額"
    cost = book.profiles[model].provider_cost_yen
    return cost, "このモデルの典型的な提供者負担"


def rank(answers: Answers, book: RiskBook | None = None) -> list[Ranked]:
    book = book or default_riskbook()
    deal = answers.deal
    sensitive = answers.data.know_how or answers.data.personal_info in ("consented", "anonymized") or answers.data.sensitive
    out = []
    for model in MODEL_IDS:
        p = book.profiles[model]
        score, reasons, excluded = 0, [], []
        for goal in deal.goals:
            value = p.benefits.get(goal, 0)
            score += 2 * value
            reasons.append(f"目的「{book.goal_labels.get(goal, goal)}」への適合度 {value}/3（+{2 * value}）")
        if deal.goals and all(p.benefits.get(g, 0) == 0 for g in deal.goals):
            excluded.append("述べられた目的のいずれにも適合しない")
        if deal.constraints.need_control:
            delta = {0: -3, 1: 0, 2: 3}[_LEVEL[p.control]]
            score += delta
            reasons.append(f"提供後の管理の強さ: {_JA[p.control]}（{delta:+d}）")
        if sensitive:
            delta = -_LEVEL[p.exposure]
            score += delta
            reasons.append(f"ノウハウ・個人情報を含むデータの漏えい等の危険: {_JA[p.exposure]}（{delta:+d}）")
        limit = deal.constraints.max_recipients
        if limit is not None:
            n, source = _recipients(answers, model, book)
            if n > limit:
                excluded.append(f"データが渡る人数（{source}）が上限{limit}名を超える")
        budget = deal.constraints.budget_yen
        if budget is not None:
            cost, source = _provider_cost(answers, model, book)
            if cost > budget:
                excluded.append(f"提供者の負担（{source}: 約{cost:,}円）が予算{budget:,}円を超える")
        reasons.append(f"得られるもの: {p.returns}")
        out.append(Ranked(model, p.label, score, tuple(reasons), not excluded, tuple(excluded)))
    order = {m: i for i, m in enumerate(MODEL_IDS)}
    return sorted(out, key=lambda r: (not r.eligible, -r.score, order[r.model]))


def _differences(a: str, b: str, book: RiskBook) -> str:
    pa, pb = book.profiles[a], book.profiles[b]
    parts = []
    if pa.control != pb.control:
        parts.append(f"提供後の管理の強さ（{pa.label}: {_JA[pa.control]}、{pb.label}: {_JA[pb.control]}）")
    if pa.exposure != pb.exposure:
        parts.append(f"漏えい等の危険（{pa.label}: {_JA[pa.exposure]}、{pb.label}: {_JA[pb.exposure]}）")
    if pa.provider_cost_yen != pb.provider_cost_yen:
        parts.append(f"提供者の典型的な負担（{pa.label}: 約{pa.provider_cost_yen:,}円、{pb.label}: 約{pb.provider_cost_yen:,}円）")
    parts.append(f"得られるもの（{pa.label}: {pa.returns}／{pb.label}: {pb.returns}）")
    return "、".join(parts)


def verdict(ranking: list[Ranked], book: RiskBook | None = None) -> Verdict:
    book = book or default_riskbook()
    eligible = [r for r in ranking if r.eligible]
    if not eligible:
        nearest = max(ranking, key=lambda r: (r.score, -len(r.excluded)))
        return Verdict(
            "none", (nearest.model,),
            "条件をすべて満たすモデルはありません。最も近いのは"
            f"{nearest.label}ですが、{'、'.join(nearest.excluded)}ため、そのままでは推奨できません。"
            "制約（予算・渡せる人数）を見直すか、受講者・参加者を絞り、閲覧のみの環境で提供する構成を検討してください。",
        )
    top = [r for r in eligible if r.score == eligible[0].score]
    if len(top) > 1:
        names = "と".join(r.label for r in top)
        return Verdict(
            "tie", tuple(r.model for r in top),
            f"{names}が同点（{top[0].score}点）です。推奨は一つに絞れません。決め手となるのは、"
            f"{_differences(top[0].model, top[1].model, book)}です。",
        )
    best = eligible[0]
    return Verdict("lead", (best.model,), f"{best.label}を推奨します（{best.score}点。次点との差 "
                   f"{best.score - (eligible[1].score if len(eligible) > 1 else 0)}点）。")


def resolve_model(answers: Answers, book: RiskBook | None = None) -> tuple[Answers, list[Ranked]]:
    """For ``model: auto``, the answers with the recommended model filled in; otherwise unchanged.

    Only a clear lead is drafted: a tie or a deal no model fits is refused with the verdict, so the user chooses.
    """
    if answers.model != "auto":
        return answers, []
    book = book or default_riskbook()
    ranking = rank(answers, book)
    v = verdict(ranking, book)
    if v.status != "lead":
        raise AnswersError("answers", [("model", f"{v.text} model に提供モデルを指定してください")])
    chosen = v.models[0]
    from contracts.answers import validate_answers
    from contracts.vocabulary import SECTION_FOR_MODEL

    data = answers.model_dump(mode="json", exclude_none=False, exclude_unset=False)
    data["model"] = chosen
    section = SECTION_FOR_MODEL[chosen]
    if data["deal"].get(section) is None:
        raise AnswersError(
            "answers",
            [(f"deal.{section}", text("auto.needs_section", chosen=chosen, label=ranking[0].label))],
        )
    for other in SECTION_FOR_MODEL.values():
        if other != section:
            data["deal"][other] = None
    return validate_answers(data), ranking
