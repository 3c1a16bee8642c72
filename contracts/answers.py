"""The answers file: everything the drafts need to know about the parties, the data and the deal.

One pydantic model is the single source of truth for field names, types, defaults and help texts;
the clause library, the questionnaire and the JSON Schema all read it. Unknown keys are rejected so
that a typo never silently falls back to a default.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

MODEL_IDS = ("hackathon", "paid_consulting", "joint_research", "data_provision")
SCHEMA_VERSION = 1

# Characters that are illegal in XML 1.0 or that docxtpl turns into paragraph/page breaks.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    bad = _FORBIDDEN.search(value)
    if bad:
        raise ValueError(
            f"制御文字 U+{ord(bad.group()):04X} は使用できません (control character U+{ord(bad.group()):04X} is not allowed)"
        )
    if not value.strip():
        raise ValueError("空文字列は使用できません (must not be empty)")
    return value.strip()


Text = Annotated[str, AfterValidator(_clean_text)]
Yen = Annotated[int, Field(ge=0, le=10**13)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


# --------------------------------------------------------------------------- parties

PartyKind = Literal[
    "corporation",
    "national_university",
    "public_university",
    "private_university",
    "public_body",
    "individual",
    "other",
]


class Representative(_Strict):
    title: Text = Field(description="代表者の役職（例: 代表取締役社長、学長）")
    name: Text = Field(description="代表者の氏名")


class Party(_Strict):
    name: Text = Field(description="正式名称（登記上の商号・法人名。個人の場合は氏名）")
    address: Text = Field(description="本店所在地・主たる事務所の所在地（個人の場合は住所）")
    representative: Optional[Representative] = Field(
        default=None, description="代表者（法人の場合は必須。個人の場合は省略）"
    )
    kind: PartyKind = Field(
        description="当事者の種別: corporation（会社）, national_university（国立大学法人）, "
        "public_university（公立大学法人）, private_university（学校法人）, public_body（公的機関）, "
        "individual（個人）, other"
    )
    role_name: Optional[Text] = Field(
        default=None,
        description="略称を役割名にする場合の呼称（例: 提供者、受領者）。省略時はモデルの既定の役割名",
    )
    sme: bool = Field(
        default=False,
        description="中小企業・スタートアップ・個人事業者に当たるか（優越的地位の濫用の検討に使う）",
    )

    @model_validator(mode="after")
    def _representative_for_entities(self) -> "Party":
        if self.kind != "individual" and self.representative is None:
            raise ValueError("representative: 法人・団体には代表者（title と name）が必要です (required unless kind is individual)")
        return self

    @property
    def is_university(self) -> bool:
        return self.kind.endswith("_university")


class Parties(_Strict):
    provider: Party = Field(description="データ提供者（データを保有し提供する企業）")
    recipient: Party = Field(
        description="相手方: ハッカソン運営者、コンサルティング受託者、大学、又は教材作成者（モデルにより異なる）"
    )
    naming: Literal["kouotsu", "roles"] = Field(
        default="kouotsu", description="契約書中の略称: kouotsu（甲・乙・丙）又は roles（提供者・受領者などの役割名）"
    )


# --------------------------------------------------------------------------- data

PersonalInfo = Literal["none", "statistical", "anonymized", "pseudonymized", "consented"]


class Delivery(_Strict):
    method: Literal["platform", "download", "media", "api"] = Field(
        description="提供方法: platform（アクセス制御されたプラットフォーム上での閲覧・利用）, download（暗号化した電子ファイルの送信）, "
        "media（記録媒体の交付）, api（APIによる提供）"
    )
    detail: Optional[Text] = Field(default=None, description="提供方法の補足（システム名、媒体、暗号化の方法など）")
    timing: Text = Field(description="提供の時期（例: 本契約締結後14日以内）")


class Data(_Strict):
    title: Text = Field(description="提供データの名称（例: 外観検査画像データ）")
    description: Text = Field(description="提供データの概要（何のデータか、一文で）")
    items: list[Text] = Field(min_length=1, description="データ項目（列、属性、ラベルなど）")
    format: Text = Field(description="形式（例: CSV（UTF-8）、JPEG画像）")
    volume: Text = Field(description="量（例: 約12,000枚、約350万行）")
    period: Text = Field(description="データの取得期間（例: 2024年4月から2025年3月まで）")
    origin: Text = Field(description="取得元・来歴（どの事業・設備でどのように取得したか）")
    processing: list[Text] = Field(
        default_factory=list,
        description="提供前に提供者が行う加工（匿名化、マスキング、抽出、粒度の調整など）。加工しない場合は空",
    )
    delivery: Delivery = Field(description="提供方法")
    personal_info: PersonalInfo = Field(
        description="個人情報の区分: none（含まない）, statistical（統計情報のみ）, anonymized（匿名加工情報）, "
        "pseudonymized（仮名加工情報。第三者提供は原則禁止）, consented（本人の同意を得た個人データ）"
    )
    sensitive: bool = Field(default=False, description="要配慮個人情報（病歴等）を含む又は含んでいた情報から作成したか")
    anonymized_publication: bool = Field(
        default=False,
        description="匿名加工情報について、作成時及び第三者提供時の公表（項目・提供方法）を行う計画があるか",
    )
    know_how: bool = Field(default=False, description="提供者のノウハウ・営業秘密に当たる情報を含むか")
    protection: Literal["trade_secret", "limited_provision", "contract_only"] = Field(
        default="trade_secret",
        description="保護の方法: trade_secret（営業秘密として秘密管理）, limited_provision（限定提供データとして電磁的に管理）, "
        "contract_only（契約上の義務のみ）",
    )
    cross_border: bool = Field(default=False, description="提供データが外国で保管・利用され、又は外国にいる者がアクセスするか")


# --------------------------------------------------------------------------- deal

class Fee(_Strict):
    kind: Literal["free", "fixed", "per_learner", "revenue_share"] = Field(
        description="対価の種類: free（無償）, fixed（定額）, per_learner（受講者1名当たり）, revenue_share（売上の一定割合）"
    )
    amount_yen: Optional[Yen] = Field(default=None, description="金額（円、税抜）。fixed・per_learner のとき必須")
    percent: Optional[Annotated[float, Field(gt=0, le=100)]] = Field(
        default=None, description="割合（%）。revenue_share のとき必須"
    )
    due: Optional[Text] = Field(default=None, description="支払期日（例: 本契約締結日の属する月の翌月末日）。有償のとき必須")

    @model_validator(mode="after")
    def _complete(self) -> "Fee":
        if self.kind in ("fixed", "per_learner") and self.amount_yen is None:
            raise ValueError(f"amount_yen: fee kind '{self.kind}' requires an amount in yen")
        if self.kind == "revenue_share" and self.percent is None:
            raise ValueError("percent: fee kind 'revenue_share' requires a percentage")
        if self.kind != "free" and self.due is None:
            raise ValueError("due: a paid fee needs a payment date (支払期日)")
        return self


class LiabilityCap(_Strict):
    kind: Literal["fee", "fixed", "none"] = Field(
        description="賠償額の上限: fee（受領済みの対価の額）, fixed（定額）, none（上限なし）"
    )
    amount_yen: Optional[Yen] = Field(default=None, description="上限額（円）。fixed のとき必須")

    @model_validator(mode="after")
    def _amount(self) -> "LiabilityCap":
        if self.kind == "fixed" and self.amount_yen is None:
            raise ValueError("amount_yen: liability cap 'fixed' requires an amount in yen")
        return self


class Deletion(_Strict):
    method: Literal["delete", "return", "delete_or_return"] = Field(
        default="delete", description="契約終了時の措置: delete（消去・廃棄）, return（返還）, delete_or_return（提供者の指示による）"
    )
    within_days: Annotated[int, Field(ge=1, le=365)] = Field(default=30, description="終了後何日以内に行うか")
    certificate: bool = Field(default=True, description="消去・廃棄を証明する書面を提出させるか")


class Publication(_Strict):
    allowed: bool = Field(default=True, description="成果・教材の公表を認めるか")
    review_days: Annotated[int, Field(ge=0, le=180)] = Field(default=30, description="公表前に相手方へ通知する日数")


class Learners(_Strict):
    count: Optional[Annotated[int, Field(ge=1)]] = Field(default=None, description="見込まれる受講者・参加者の人数")
    receive_raw_data: bool = Field(
        default=False, description="受講者・参加者が提供データ（加工後のものを含む）そのものを手元に受け取るか"
    )
    minors: bool = Field(default=False, description="18歳未満の者が参加し得るか")
    abroad: bool = Field(default=False, description="外国に居住する者が参加し得るか")


class Prize(_Strict):
    rank: Text = Field(description="賞の名称（例: 最優秀賞）")
    amount_yen: Yen = Field(description="賞金額（円）")


class Hackathon(_Strict):
    event_name: Text = Field(description="ハッカソンの名称")
    theme: Text = Field(description="提供者が示す課題（テーマ）")
    period: Text = Field(description="開催期間（例: 2027年2月1日から同月28日まで）")
    platform: Text = Field(description="データを提供する運営者のプラットフォーム名")
    prizes: list[Prize] = Field(default_factory=list, description="賞と賞金。賞金がない場合は空")
    prize_payer: Literal["provider", "organiser"] = Field(default="provider", description="賞金を負担する者")
    costs_payer: Literal["provider", "organiser", "shared"] = Field(
        default="organiser", description="会場・プラットフォーム等の運営費用を負担する者（運営委託料は deal.fee）"
    )
    deliverable_rights: Literal["license", "assign_winners", "open"] = Field(
        default="license",
        description="応募成果物の権利: license（参加者に留保し提供者へ無償の非独占的利用許諾）, "
        "assign_winners（入賞者は賞金と引換えに提供者へ譲渡）, open（オープンライセンスで公開）",
    )
    report_days: Annotated[int, Field(ge=1, le=180)] = Field(default=30, description="終了後、運営者が結果を報告するまでの日数")
    competitors_allowed: bool = Field(default=False, description="提供者の競合事業者の役職員の参加を認めるか")


class Consulting(_Strict):
    services: list[Text] = Field(min_length=1, description="委託業務の内容（課題の発見、データの特定・加工、ハッカソンの実施など）")
    deliverables: list[Text] = Field(min_length=1, description="納入物（報告書、モデル、ソースコードなど）")
    contract_type: Literal["quasi_mandate", "work"] = Field(
        default="quasi_mandate", description="契約の性質: quasi_mandate（準委任）, work（請負。完成義務と印紙税に注意）"
    )
    period: Text = Field(description="業務の実施期間")
    review_days: Annotated[int, Field(ge=1, le=60)] = Field(default=10, description="納入物の確認期間（日）")
    deliverables_owner: Literal["provider", "consultant", "split"] = Field(
        default="split",
        description="納入物の権利: provider（委託料の支払により提供者に帰属）, consultant（受託者に留保し提供者へ利用許諾）, "
        "split（報告書は提供者、汎用的なノウハウ・プログラムは受託者）",
    )
    teaching_reuse: bool = Field(default=False, description="受託者が本件を匿名化した教材として二次利用することを認めるか（事前承認が条件）")


class Student(_Strict):
    name: Text = Field(description="学生の氏名")
    affiliation: Text = Field(description="所属（研究科・学年）")


class Research(_Strict):
    theme: Text = Field(description="研究題目（広すぎず狭すぎないもの）")
    goal: Text = Field(description="研究の目的・内容")
    period: Text = Field(description="研究期間（例: 2027年4月1日から2028年3月31日まで）")
    provider_roles: list[Text] = Field(min_length=1, description="提供者の役割")
    university_roles: list[Text] = Field(min_length=1, description="大学の役割")
    principal_investigator: Representative = Field(description="大学側の研究代表者（title に職名、name に氏名）")
    provider_lead: Representative = Field(description="提供者側の研究責任者（title に所属・職名、name に氏名）")
    direct_cost_yen: Yen = Field(description="研究経費（直接経費、円）")
    indirect_cost_yen: Yen = Field(default=0, description="研究経費（間接経費、円）")
    results_owner: Literal["university", "joint", "company"] = Field(
        description="研究成果（知的財産権）の帰属: university（大学単独）, joint（共有）, company（企業単独）。既定値はなく、意識的に選ぶ"
    )
    non_practice_compensation: Literal["none", "royalty", "negotiate"] = Field(
        default="negotiate",
        description="共有の場合の不実施補償: none（なし）, royalty（実施料の支払）, negotiate（実施時に別途協議）",
    )
    thesis_use: bool = Field(default=True, description="学生が研究成果を学位論文に用いることを認めるか（事前確認が条件）")
    teaching_use: bool = Field(default=False, description="大学が研究成果を教材に用いることを認めるか")
    students: list[Student] = Field(
        default_factory=list, description="参加する学生。記載があれば学生ごとに誓約書を作成し、空なら記入式の誓約書を1通作成"
    )


class Course(_Strict):
    name: Text = Field(description="提供データを用いる講座・教材の名称")
    audience: Text = Field(description="受講者の範囲（例: 受領者が運営する社会人向け講座の受講者）")
    cohorts: Annotated[int, Field(ge=1, le=50)] = Field(default=1, description="利用できる開講回数（期数）")
    materials_publication: Literal["none", "approval", "free"] = Field(
        default="approval",
        description="教材の外部公開: none（認めない）, approval（提供者の事前承認が条件）, free（自由）",
    )


Goal = Literal["money", "talent", "pr", "deliverables", "research"]


class Constraints(_Strict):
    budget_yen: Optional[Yen] = Field(default=None, description="提供者が負担できる費用の上限（円）。省略時は制約なし")
    max_recipients: Optional[Annotated[int, Field(ge=1)]] = Field(
        default=None, description="データを渡してよい相手（受講者・参加者を含む）の人数の上限。省略時は制約なし"
    )
    need_control: bool = Field(default=False, description="提供後もデータの利用を厳格に管理する必要があるか")


class Deal(_Strict):
    purpose: Text = Field(description="本目的: データを利用できる目的（具体的に。例: 「〇〇講座」の教材の作成及び講座の運営）")
    program_name: Text = Field(description="取組の名称（講座名、ハッカソン名、研究題目の略称など。前文と定義に用いる）")
    contract_date: Optional[_dt.date] = Field(
        default=None, description="契約締結日（YYYY-MM-DD）。省略すると日付欄を記入用の空欄にする"
    )
    term_months: Annotated[int, Field(ge=1, le=120)] = Field(default=12, description="契約の有効期間（月）")
    fee: Fee = Field(
        description="金銭の対価。data_provision: 受領者が提供者に支払うデータ利用料。paid_consulting: 提供者が支払う委託料。"
        "joint_research: research の研究経費を用いるため free。hackathon: 提供者が運営者に支払う運営委託料"
    )
    derived_data: Optional[Literal["provider", "recipient", "shared"]] = Field(
        default=None,
        description="派生データの権利: provider（提供者に帰属）, recipient（受領者に帰属し提供者へ利用許諾）, shared（双方が利用可）。省略時は stance に従う",
    )
    confidentiality_years: Optional[Annotated[int, Field(ge=1, le=20)]] = Field(
        default=None, description="契約終了後に秘密保持義務が存続する年数。省略時は stance に従う"
    )
    publication: Publication = Field(default_factory=Publication, description="成果の公表")
    deletion: Deletion = Field(default_factory=Deletion, description="契約終了時のデータの消去又は返還")
    liability_cap: LiabilityCap = Field(description="損害賠償額の上限")
    court: Text = Field(description="専属的合意管轄裁判所（例: 東京地方裁判所）")
    execution: Literal["paper", "electronic"] = Field(
        default="electronic", description="締結方法: paper（書面に記名押印）, electronic（電子署名）"
    )
    generative_ai: Literal["prohibited", "approved_only"] = Field(
        default="prohibited",
        description="外部の生成AIサービスへの提供データの入力: prohibited（禁止）, approved_only（入力内容を学習・保持しない"
        "サービスに限り事前の書面承諾で可）",
    )
    learners: Learners = Field(default_factory=Learners, description="受講者・参加者・学習者")
    goals: list[Goal] = Field(
        default_factory=list,
        description="提供者の目的（モデル推奨に使う）: money（対価）, talent（人材との接点）, pr（広報）, "
        "deliverables（成果物）, research（研究成果）",
    )
    constraints: Constraints = Field(default_factory=Constraints, description="提供者の制約（モデル推奨に使う）")
    choices: dict[str, str] = Field(
        default_factory=dict,
        description="条項ごとのバリエーションの明示的な指定（条項ID: バリエーションID）。stance より優先する",
    )
    hackathon: Optional[Hackathon] = Field(default=None, description="ハッカソン型の取組の内容（model が hackathon のとき必須）")
    consulting: Optional[Consulting] = Field(
        default=None, description="有償コンサル型の業務の内容（model が paid_consulting のとき必須）"
    )
    research: Optional[Research] = Field(default=None, description="共同研究型の研究の内容（model が joint_research のとき必須）")
    course: Optional[Course] = Field(default=None, description="データ提供型で教材を作る講座（model が data_provision のとき必須）")


_SECTION_FOR_MODEL = {
    "hackathon": "hackathon",
    "paid_consulting": "consulting",
    "joint_research": "research",
    "data_provision": "course",
}


class Answers(_Strict):
    schema_version: Literal[1] = Field(default=SCHEMA_VERSION, description="回答ファイルの形式の版（現在は 1）")
    model: Literal["hackathon", "paid_consulting", "joint_research", "data_provision", "auto"] = Field(
        description="提供モデル: hackathon（ハッカソン型）, paid_consulting（有償コンサル型）, joint_research（共同研究型）, "
        "data_provision（データ提供型）, auto（deal.goals と deal.constraints から推奨されたモデル）"
    )
    stance: Literal["provider", "balanced", "recipient"] = Field(
        default="balanced", description="条項の選択をどちらの利益に寄せるか: provider, balanced, recipient"
    )
    parties: Parties = Field(description="当事者")
    data: Data = Field(description="提供データ")
    deal: Deal = Field(description="取引の条件")

    @model_validator(mode="after")
    def _model_section(self) -> "Answers":
        if self.model == "auto":
            if not self.deal.goals:
                raise ValueError("deal.goals: model 'auto' needs the provider's goals to recommend a model")
            return self  # the section of the recommended model is checked once it is chosen
        wanted = _SECTION_FOR_MODEL[self.model]
        for model, section in _SECTION_FOR_MODEL.items():
            present = getattr(self.deal, section) is not None
            if section == wanted and not present:
                raise ValueError(f"deal.{section}: model '{self.model}' requires this section")
            if section != wanted and present:
                raise ValueError(f"deal.{section}: only used by model '{model}'; remove it for model '{self.model}'")
        if self.model == "joint_research" and not self.parties.recipient.is_university:
            raise ValueError("parties.recipient.kind: joint_research needs a university as recipient")
        return self

    def lookup(self, path: str) -> Any:
        """Value at a dotted path such as ``data.personal_info``; KeyError if the path is not a field."""
        node: Any = self
        for part in path.split("."):
            if isinstance(node, BaseModel):
                if part not in type(node).model_fields:
                    raise KeyError(path)
                node = getattr(node, part)
            elif node is None:
                return None
            else:
                raise KeyError(path)
        return node


# --------------------------------------------------------------------------- loading


class AnswersError(Exception):
    """Bad answers file; ``problems`` holds (field path, message) pairs for the user."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: answers are not valid"] + [f"  {path}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


def _path(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif p.startswith("function-") or p in ("literal", "constrained-int", "str"):
            continue
        else:
            parts.append(("." if parts else "") + p)
    return "".join(parts) or "(top level)"


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `keiyaku schema`)"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def validate_answers(raw: Any, source: str = "answers") -> Answers:
    if not isinstance(raw, dict):
        raise AnswersError(source, [("(top level)", "expected a mapping with model, stance, parties, data and deal")])
    try:
        return Answers.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _path(err["loc"])
            msg = _message(err)
            # A model-level validator reports "field: message"; move the field into the path.
            if err["type"] == "value_error" and ": " in msg and " " not in msg.split(": ", 1)[0]:
                field, msg = msg.split(": ", 1)
                path = f"{path}.{field}" if path != "(top level)" else field
            problems.append((path, msg))
        raise AnswersError(source, problems) from None


class _UniqueKeyLoader:
    """Builds a yaml SafeLoader that rejects duplicate keys and aliases (no billion-laughs)."""

    @staticmethod
    def make():
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def construct_mapping(loader, node, deep=False):
            keys = set()
            for key_node, _ in node.value:
                key = loader.construct_object(key_node, deep=deep)
                if key in keys:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                keys.add(key)
            return yaml.SafeLoader.construct_mapping(loader, node, deep)

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        original = Loader.compose_node

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed", event.start_mark)
            return original(self, parent, index)

        Loader.compose_node = compose_node
        return Loader


MAX_ANSWERS_BYTES = 2 * 1024 * 1024


def parse_text(text: str, source: str) -> Any:
    """YAML (a superset of JSON) or JSON text to plain data, with errors naming the line."""
    import yaml

    if source.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise AnswersError(source, [(f"line {exc.lineno}", f"malformed JSON: {exc.msg}")]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader.make())  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise AnswersError(source, [(where, f"malformed YAML: {problem}")]) from None
    except RecursionError:
        raise AnswersError(source, [("(file)", "malformed YAML: nested too deeply")]) from None


def load_answers(path: str | Path) -> Answers:
    """Read and validate an answers file (``-`` is not handled here; the CLI reads stdin itself)."""
    p = Path(path)
    source = str(path)
    try:
        raw_bytes = p.read_bytes()
    except OSError as exc:
        raise AnswersError(source, [("(file)", f"cannot read: {exc.strerror}")]) from None
    return answers_from_bytes(raw_bytes, source)


def answers_from_bytes(raw_bytes: bytes, source: str) -> Answers:
    if len(raw_bytes) > MAX_ANSWERS_BYTES:
        raise AnswersError(source, [("(file)", f"file is larger than {MAX_ANSWERS_BYTES // 1024} KiB")])
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersError(source, [("(file)", f"not UTF-8 text (byte {exc.start})")]) from None
    return validate_answers(parse_text(text, source), source)
