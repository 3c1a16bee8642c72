"""The answers file: everything the drafts need to know about the parties, the data and the deal.

One pydantic model is the single source of truth for field names, types, defaults and help texts;
the clause library, the questionnaire and the JSON Schema all read it. Unknown keys are rejected so
that a typo never silently falls back to a default.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from contracts import messages as _msg
from contracts import parse as _parse
from contracts.messages import Problem

# The value sets the model's Literal types are made of, and what the rest of the code reads about the model, live
# in contracts/vocabulary.py; these names stay importable from here.
from contracts.vocabulary import (  # noqa: F401
    AUTO,
    MODEL_IDS,
    PARTY_KINDS,
    SECTION_FOR_MODEL,
    STANCES,
    UNIVERSITY_KINDS,
    Requirement,
    choices,
    field_kind,
    owner_at,
    value_label,
    value_labels,
)

SCHEMA_VERSION = 1

# Characters that are illegal in XML 1.0, that docxtpl turns into paragraph/page breaks, or (CR) that XML
# parsers silently turn into a line feed, so the text would not come back verbatim; DEL and the C1 controls
# (U+0080-U+009F, which include the terminal's CSI) are invisible and refused as well.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional controls reorder what a reader sees (U+202E turns "txt.exe" into "exe.txt"): refused in answers.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): a value of only these is as empty as spaces.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class Refusal(ValueError):
    """A value the answers model refuses, as a catalogue message (``key`` in ``contracts/messages.yaml`` and its
    ``params``), rendered in the language in use when shown. ``field`` names the sub-field a model-level check is
    about (``amount_yen`` of ``deal.fee``), so that the message names that field."""

    def __init__(self, key: str, field: str | None = None, **params):
        self.key, self.field, self.params = key, field, params
        super().__init__(key)

    def __str__(self) -> str:
        return self.problem("").message()

    def problem(self, path: str) -> Problem:
        return Problem(path, self.key, dict(self.params))


def _text_refusal(value: str) -> Refusal | None:
    import unicodedata

    for ch in value:
        code = f"U+{ord(ch):04X}"
        if _FORBIDDEN.match(ch):
            return Refusal("text.control", code=code)
        if ch in BIDI_CONTROLS:
            return Refusal("text.bidi", code=code)
        category = unicodedata.category(ch)
        if category == "Cs":
            return Refusal("text.surrogate", code=code)
        if category == "Co":
            return Refusal("text.private", code=code)
        if category == "Cn":
            return Refusal("text.unassigned", code=code)
    if all(ch.isspace() or ch in _BLANK_LETTERS or unicodedata.category(ch) == "Cf" for ch in value):
        return Refusal("text.invisible") if value.strip() else Refusal("text.empty")
    return None


def text_problem(value: str) -> str | None:
    """Why a text answer is not valid, visible Unicode, or None. The one check every free-text field goes through.

    Refused: control characters (tab and line feed are kept), lone surrogates (not Unicode at all: the writers
    drop the rest of the text after one), unassigned and private-use code points (no font draws them the same
    way twice), bidirectional controls, and values with nothing visible (spaces, zero-width characters).
    The reason is in the language in use (``contracts.messages``).
    """
    refusal = _text_refusal(value)
    return str(refusal) if refusal else None


def _clean_text(value: str) -> str:
    refusal = _text_refusal(value)
    if refusal:
        raise refusal
    return value.strip()


def _written_date(value: Any) -> _dt.date:
    """A date as a YAML date, or text in one of the documented forms (``contracts.parse.read_date``: 2027-04-01,
    2027/4/1, 2027年4月1日, 令和9年4月1日 …). Never a number (0 would be 1970-01-01 by pydantic's rules) or a time.
    """
    if isinstance(value, _Unread):
        raise value.error
    if isinstance(value, _dt.datetime):
        raise Refusal("value.date_with_time", value=value.isoformat(sep=" "), forms=_msg.Deferred(lambda lang: _msg.form("date", lang)))
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        return _parse.read_date(value)
    raise _parse.Unreadable("date", value)


def _at_most(limit: int, unit: str):
    def check(value: int | None) -> int | None:
        if value is not None and value > limit:
            raise Refusal("limit.at_most", limit=f"{limit:,}", unit=_msg.Deferred(lambda lang: _unit_text(unit, lang)),
                          value=f"{value:,}")
        return value

    return AfterValidator(check)


def _unit_text(kind: str | None, lang: str | None) -> str:
    return _msg.unit(kind, lang) if kind else ""


Text = Annotated[str, AfterValidator(_clean_text)]
Yen = Annotated[int, Field(ge=0, le=10**13)]
Day = Annotated[_dt.date, BeforeValidator(_written_date)]
MAX_PEOPLE = 1_000_000  # learners, participants, recipients: more than any course or event this drafts for
People = Annotated[int, Field(ge=1), _at_most(MAX_PEOPLE, "people")]
MAX_LIST_ENTRIES = 100  # entries in any list of an answers file (data items, prizes, students ...)


class _Unread:
    """Stands in for a text that ``contracts.parse`` could not read as its field's kind: pydantic refuses it as
    any wrong type, and ``_message`` shows the parser's own refusal (the value, and an example of what is accepted)."""

    def __init__(self, error: _parse.Unreadable):
        self.error = error

    def __repr__(self) -> str:
        return repr(self.error.value)


class _Strict(BaseModel):
    """Unknown keys refused; scalars only in their documented forms (``strict``), with ``_message`` saying so.

    The one place the lenient parser widens (``_widen``): *text* given for a yes/no, number, date or choice field is
    read by ``contracts.parse.read_as`` in the documented Japanese forms (はい/いいえ, ２４, 500,000, 50万円, 24か月,
    2027/4/1, 令和9年4月1日, a choice's Japanese label such as 国立大学法人). Anything else that is not text keeps the
    strict rule: never 1 as true, never 0 as a date, never 24.0 as 24."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _widen(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name in cls.model_fields:
            if name not in out:
                continue
            kind, item = field_kind(cls, name)
            if kind is None or kind == "text":
                continue
            value = out[name]
            if item and isinstance(value, list):
                out[name] = [_read(v, kind, cls, name) for v in value]
            elif not item:
                out[name] = _read(value, kind, cls, name)
        return out


def _read(value: Any, kind: str, cls, name: str) -> Any:
    if not isinstance(value, str):
        return value
    options = choices(cls, name) if kind == "choice" else ()
    try:
        return _parse.read_as(value, kind, options, value_labels(cls, name) if kind == "choice" else None)
    except _parse.Unreadable as exc:
        return _Unread(exc)


def _label_of(cls: type, name: str, value: Any) -> _msg.Deferred:
    """The label of one choice, in the language of the message it goes into."""
    return _msg.Deferred(lambda lang: value_label(cls, name, value, lang))


class _Required(_Strict):
    """A section whose ``REQUIRES`` name the fields that some values of another field make required."""

    REQUIRES: ClassVar[tuple[Requirement, ...]] = ()

    @model_validator(mode="after")
    def _required(self):
        cls = type(self)
        for req in cls.REQUIRES:
            value = getattr(self, req.when)
            if req.applies(value) and getattr(self, req.field) is None:
                raise Refusal(req.key, field=req.field, **{req.when: value, f"{req.when}_label": _label_of(cls, req.when, value)})
        return self


# --------------------------------------------------------------------------- parties

PartyKind = Literal[PARTY_KINDS]


class Representative(_Strict):
    title: Text = Field(
        description="代表者の役職（例: 代表取締役社長、学長）",
        json_schema_extra={
            "question": {"ja": "役職（職名）は？", "en": "What is the title (position)?"},
            "description_en": "Title of the representative (e.g. 代表取締役社長, 学長)",
        },
    )
    name: Text = Field(
        description="代表者の氏名",
        json_schema_extra={
            "question": {"ja": "氏名は？", "en": "What is the name?"},
            "description_en": "Name of the representative",
        },
    )


class Party(_Required):
    REQUIRES = (Requirement("representative", "kind", ("individual",), "party.representative", unless=True),)

    name: Text = Field(
        description="正式名称（登記上の商号・法人名。個人の場合は氏名）",
        json_schema_extra={
            "question": {"ja": "正式名称は？", "en": "What is the full legal name?"},
            "description_en": "Full legal name (registered trade name or corporate name; for an individual, the person's name)",
        },
    )
    address: Text = Field(
        description="本店所在地・主たる事務所の所在地（個人の場合は住所）",
        json_schema_extra={
            "question": {"ja": "所在地（住所）は？", "en": "What is the address?"},
            "description_en": "Address of the head office or principal office (for an individual, the home address)",
        },
    )
    representative: Representative | None = Field(
        default=None, description="代表者（法人の場合は必須。個人の場合は省略）",
        json_schema_extra={
            "question": {"ja": "代表者について伺います。", "en": "About the representative."},
            "description_en": "Representative (required for corporations and other bodies; omitted for an individual)",
        },
    )
    kind: PartyKind = Field(
        description="当事者の種別: corporation（会社）, national_university（国立大学法人）, "
        "public_university（公立大学法人）, private_university（学校法人）, public_body（公的機関）, "
        "individual（個人）, other（その他）",
        json_schema_extra={
            "question": {"ja": "当事者の種別は？", "en": "What kind of party is it?"},
            "description_en": "Kind of party: corporation (company), national_university (national university corporation), public_university (public university corporation), private_university (school corporation running a private university), public_body (public body), individual (natural person), other (any other body)",
        },
    )
    role_name: Text | None = Field(
        default=None,
        description="略称を役割名にする場合の呼称（例: 提供者、受領者）。省略時はモデルの既定の役割名",
        json_schema_extra={
            "question": {"ja": "契約書中の呼称は？（空欄ならモデルの既定の役割名）", "en": "What role name should the contract use? (empty for the model's default)"},
            "description_en": "Role name used as the short name when naming is roles (e.g. 提供者, 受領者); the model's default role name if omitted",
        },
    )
    sme: bool = Field(
        default=False,
        description="中小企業・スタートアップ・個人事業者に当たるか（優越的地位の濫用の検討に使う）",
        json_schema_extra={
            "question": {"ja": "中小企業・スタートアップ・個人事業者に当たりますか？", "en": "Is it a small business, start-up or sole trader?"},
            "description_en": "Whether the party is a small or medium-sized business, start-up or sole trader (used to check abuse of a superior bargaining position)",
        },
    )
    acts_as_business: bool = Field(
        default=False,
        description="個人（kind: individual）が事業として又は事業のために契約するか。false の個人は消費者として扱い、"
        "すべての文書で消費者契約法に適合する条項を用いる",
        json_schema_extra={
            "question": {"ja": "（個人の場合）事業として又は事業のために契約しますか？", "en": "(For an individual) Does the person contract as or for a business?"},
            "description_en": "Whether an individual (kind: individual) contracts as or for a business; an individual who does not is a consumer, and every document then uses consumer-safe clauses (Consumer Contract Act)",
        },
    )

    @property
    def is_university(self) -> bool:
        return self.kind in UNIVERSITY_KINDS


class Parties(_Strict):
    provider: Party = Field(
        description="データ提供者（データを保有し提供する企業）",
        json_schema_extra={
            "question": {"ja": "データ提供者（自社）について伺います。", "en": "About the data provider (your company)."},
            "description_en": "The data provider (the company that holds and provides the data)",
        },
    )
    recipient: Party = Field(
        description="相手方: ハッカソン運営者、コンサルティング受託者、大学、又は教材作成者（モデルにより異なる）",
        json_schema_extra={
            "question": {"ja": "相手方について伺います。", "en": "About the counterparty."},
            "description_en": "The counterparty: the hackathon organiser, the consultant, the university or the teaching-material maker (depends on the model)",
        },
    )
    naming: Literal["kouotsu", "roles"] = Field(
        default="kouotsu", description="契約書中の略称: kouotsu（甲・乙・丙）又は roles（提供者・受領者などの役割名）",
        json_schema_extra={
            "question": {"ja": "契約書中で当事者をどう呼びますか？", "en": "How should the contract refer to the parties?"},
            "description_en": "Short names used in the contract: kouotsu (甲・乙・丙, the traditional labels), roles (role names such as 提供者・受領者)",
        },
    )


# --------------------------------------------------------------------------- data

PersonalInfo = Literal["none", "statistical", "anonymized", "pseudonymized", "consented"]


class Delivery(_Strict):
    method: Literal["platform", "download", "media", "api"] = Field(
        description="提供方法: platform（アクセス制御されたプラットフォーム上での閲覧・利用）, download（暗号化した電子ファイルの送信）, "
        "media（記録媒体の交付）, api（APIによる提供）",
        json_schema_extra={
            "question": {"ja": "データをどの方法で提供しますか？", "en": "How will the data be delivered?"},
            "description_en": "Delivery method: platform (viewed and used on an access-controlled platform), download (encrypted electronic files sent to the recipient), media (handed over on a storage medium), api (provided through an API)",
        },
    )
    detail: Text | None = Field(
        default=None, description="提供方法の補足（システム名、媒体、暗号化の方法など）",
        json_schema_extra={
            "question": {"ja": "提供方法の補足（システム名、媒体、暗号化の方法など）は？（省略可）", "en": "Any details of the delivery (system, medium, encryption)? (optional)"},
            "description_en": "Details of the delivery (system name, medium, encryption method and so on)",
        },
    )
    timing: Text = Field(
        description="提供の時期（例: 本契約締結後14日以内）",
        json_schema_extra={
            "question": {"ja": "データをいつ提供しますか？", "en": "When will the data be delivered?"},
            "description_en": "When the data is delivered (e.g. 本契約締結後14日以内)",
        },
    )


class Data(_Strict):
    title: Text = Field(
        description="提供データの名称（例: 外観検査画像データ）",
        json_schema_extra={
            "question": {"ja": "提供データの名称は？", "en": "What is the data called?"},
            "description_en": "Name of the data (e.g. 外観検査画像データ)",
        },
    )
    description: Text = Field(
        description="提供データの概要（何のデータか、一文で）",
        json_schema_extra={
            "question": {"ja": "どのようなデータですか？（一文で）", "en": "What is the data? (one sentence)"},
            "description_en": "Summary of the data (what it is, in one sentence)",
        },
    )
    items: list[Text] = Field(
        min_length=1, description="データ項目（列、属性、ラベルなど）",
        json_schema_extra={
            "question": {"ja": "データ項目（列・属性・ラベルなど）を1行に1つずつ入力してください。", "en": "List the data items (columns, attributes, labels), one per line."},
            "description_en": "Data items (columns, attributes, labels and so on)",
        },
    )
    format: Text = Field(
        description="形式（例: CSV（UTF-8）、JPEG画像）",
        json_schema_extra={
            "question": {"ja": "データの形式は？", "en": "What format is the data in?"},
            "description_en": "Format (e.g. CSV（UTF-8）, JPEG画像)",
        },
    )
    volume: Text = Field(
        description="量（例: 約12,000枚、約350万行）",
        json_schema_extra={
            "question": {"ja": "データの量は？", "en": "How much data is there?"},
            "description_en": "Volume (e.g. 約12,000枚, 約350万行)",
        },
    )
    period: Text = Field(
        description="データの取得期間（例: 2024年4月から2025年3月まで）",
        json_schema_extra={
            "question": {"ja": "データはいつからいつまでに取得したものですか？", "en": "Over what period was the data collected?"},
            "description_en": "Period over which the data was collected (e.g. 2024年4月から2025年3月まで)",
        },
    )
    origin: Text = Field(
        description="取得元・来歴（どの事業・設備でどのように取得したか）",
        json_schema_extra={
            "question": {"ja": "データの取得元・来歴は？", "en": "Where does the data come from?"},
            "description_en": "Origin and history of the data (which business or equipment produced it, and how)",
        },
    )
    processing: list[Text] = Field(
        default_factory=list,
        description="提供前に提供者が行う加工（匿名化、マスキング、抽出、粒度の調整など）。加工しない場合は空",
        json_schema_extra={
            "question": {"ja": "提供前に行う加工を1行に1つずつ入力してください（加工しなければ空欄のまま Enter）。", "en": "List the processing you do before providing the data, one per line (just Enter if none)."},
            "description_en": "Processing the provider applies before providing the data (anonymisation, masking, extraction, coarser granularity, ...); empty if none",
        },
    )
    delivery: Delivery = Field(
        description="提供方法",
        json_schema_extra={
            "question": {"ja": "データの提供方法について伺います。", "en": "About how the data is delivered."},
            "description_en": "How the data is delivered",
        },
    )
    personal_info: PersonalInfo = Field(
        description="個人情報の区分: none（含まない）, statistical（統計情報のみ）, anonymized（匿名加工情報）, "
        "pseudonymized（仮名加工情報。第三者提供は原則禁止）, consented（本人の同意を得た個人データ）",
        json_schema_extra={
            "question": {"ja": "データに個人に関する情報は含まれますか？", "en": "Does the data contain information about individuals?"},
            "description_en": "Personal-information category: none (no personal information), statistical (statistical information only), anonymized (anonymously processed information), pseudonymized (pseudonymously processed information; third-party provision is in principle prohibited), consented (personal data provided with the data subjects' consent)",
        },
    )
    sensitive: bool = Field(
        default=False, description="要配慮個人情報（病歴等）を含む又は含んでいた情報から作成したか",
        json_schema_extra={
            "question": {"ja": "要配慮個人情報（病歴など）を含み、又は含んでいた情報から作成しましたか？", "en": "Does it contain, or derive from, special-care personal information (e.g. medical history)?"},
            "description_en": "Whether the data contains, or was made from information that contained, special-care-required personal information (such as medical history)",
        },
    )
    anonymized_publication: bool = Field(
        default=False,
        description="匿名加工情報について、作成時及び第三者提供時の公表（項目・提供方法）を行う計画があるか",
        json_schema_extra={
            "question": {"ja": "匿名加工情報の作成時・第三者提供時の公表を行う予定ですか？", "en": "Will you publish the items and method when creating and providing the anonymously processed information?"},
            "description_en": "Whether the provider plans the publications required when creating anonymously processed information and when providing it to a third party (items and method of provision)",
        },
    )
    know_how: bool = Field(
        default=False, description="提供者のノウハウ・営業秘密に当たる情報を含むか",
        json_schema_extra={
            "question": {"ja": "提供者のノウハウ・営業秘密に当たる情報を含みますか？", "en": "Does it contain the provider's know-how or trade secrets?"},
            "description_en": "Whether the data contains the provider's know-how or trade secrets",
        },
    )
    protection: Literal["trade_secret", "limited_provision", "contract_only"] = Field(
        default="trade_secret",
        description="保護の方法: trade_secret（営業秘密として秘密管理）, limited_provision（限定提供データとして電磁的に管理）, "
        "contract_only（契約上の義務のみ）",
        json_schema_extra={
            "question": {"ja": "データをどの方法で保護しますか？", "en": "How is the data protected?"},
            "description_en": "How the data is protected: trade_secret (kept secret and managed as a trade secret), limited_provision (managed electronically as shared data with limited access under the Unfair Competition Prevention Act), contract_only (contractual obligations only)",
        },
    )
    cross_border: bool = Field(
        default=False, description="提供データが外国で保管・利用され、又は外国にいる者がアクセスするか",
        json_schema_extra={
            "question": {"ja": "データが外国で保管・利用され、又は外国からアクセスされますか？", "en": "Will the data be stored or used abroad, or accessed from abroad?"},
            "description_en": "Whether the data is stored or used in a foreign country, or accessed by someone located abroad",
        },
    )
    sample: Text | None = Field(
        default=None, description="秘密保持契約の段階で検討のために開示するサンプルデータの内容（例: 画像200枚及び対応するアノテーション）。省略時は提供データの一部で提供者が選定したもの",
        json_schema_extra={
            "question": {"ja": "秘密保持契約の段階で開示するサンプルデータは？（省略可）", "en": "What sample of the data is disclosed at the NDA stage? (optional)"},
            "description_en": "The sample of the data disclosed for evaluation at the NDA stage (e.g. 200 images with their annotations); if omitted, a part of the data the provider selects",
        },
    )


# --------------------------------------------------------------------------- deal

class Fee(_Required):
    REQUIRES = (
        Requirement("amount_yen", "kind", ("fixed", "per_learner"), "fee.amount"),
        Requirement("percent", "kind", ("revenue_share",), "fee.percent"),
        Requirement("due", "kind", ("free",), "fee.due", unless=True),
    )

    kind: Literal["free", "fixed", "per_learner", "revenue_share"] = Field(
        description="対価の種類: free（無償）, fixed（定額）, per_learner（受講者1名当たり）, revenue_share（売上の一定割合）",
        json_schema_extra={
            "question": {"ja": "対価の種類は？", "en": "What kind of fee?"},
            "description_en": "Kind of fee: free (no fee), fixed (fixed amount), per_learner (amount per learner), revenue_share (percentage of sales)",
        },
    )
    amount_yen: Yen | None = Field(
        default=None, description="金額（円、税抜）。fixed・per_learner のとき必須",
        json_schema_extra={
            "question": {"ja": "金額（円、税抜）は？", "en": "What is the amount (yen, before tax)?"},
            "description_en": "Amount in yen, before tax; required for fixed and per_learner",
        },
    )
    percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None, description="割合（%）。revenue_share のとき必須",
        json_schema_extra={
            "question": {"ja": "売上に対する割合（%）は？", "en": "What percentage of sales?"},
            "description_en": "Percentage of sales; required for revenue_share",
        },
    )
    due: Text | None = Field(
        default=None, description="支払期日（例: 本契約締結日の属する月の翌月末日）。有償のとき必須",
        json_schema_extra={
            "question": {"ja": "支払期日は？", "en": "When is payment due?"},
            "description_en": "Payment date (e.g. 本契約締結日の属する月の翌月末日); required unless free",
        },
    )


class LiabilityCap(_Required):
    REQUIRES = (Requirement("amount_yen", "kind", ("fixed",), "cap.amount"),)

    kind: Literal["fee", "fixed", "none"] = Field(
        description="賠償額の上限: fee（受領済みの対価の額）, fixed（定額）, none（上限なし）",
        json_schema_extra={
            "question": {"ja": "損害賠償額の上限をどうしますか？", "en": "How should damages be capped?"},
            "description_en": "Cap on damages: fee (the fees received), fixed (a fixed amount), none (no cap)",
        },
    )
    amount_yen: Yen | None = Field(
        default=None, description="上限額（円）。fixed のとき必須",
        json_schema_extra={
            "question": {"ja": "上限額（円）は？", "en": "What is the cap (yen)?"},
            "description_en": "Cap in yen; required for fixed",
        },
    )


class Deletion(_Strict):
    method: Literal["delete", "return", "delete_or_return"] = Field(
        default="delete", description="契約終了時の措置: delete（消去・廃棄）, return（返還）, delete_or_return（提供者の指示による）",
        json_schema_extra={
            "question": {"ja": "契約終了時、データをどうさせますか？", "en": "What happens to the data at the end?"},
            "description_en": "What happens to the data at the end: delete (deleted or destroyed), return (returned), delete_or_return (as the provider instructs)",
        },
    )
    within_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=30, description="終了後何日以内に行うか",
        json_schema_extra={
            "question": {"ja": "終了後何日以内に行わせますか？", "en": "Within how many days after the end?"},
            "description_en": "Days after the end within which this is done",
        },
    )
    certificate: bool = Field(
        default=True, description="消去・廃棄を証明する書面を提出させるか",
        json_schema_extra={
            "question": {"ja": "消去・廃棄を証明する書面を提出させますか？", "en": "Require a written certificate of deletion?"},
            "description_en": "Whether a written certificate of deletion or destruction must be delivered",
        },
    )


class Publication(_Strict):
    allowed: bool = Field(
        default=True, description="成果・教材の公表を認めるか",
        json_schema_extra={
            "question": {"ja": "成果・教材の公表を認めますか？", "en": "May the results or materials be published?"},
            "description_en": "Whether the results or teaching materials may be published",
        },
    )
    review_days: Annotated[int, Field(ge=0, le=180)] = Field(
        default=30, description="公表前に相手方へ通知する日数",
        json_schema_extra={
            "question": {"ja": "公表の何日前までに相手方へ通知させますか？", "en": "How many days' notice before publication?"},
            "description_en": "Days of notice to the other party before publication",
        },
    )


class Learners(_Strict):
    count: People | None = Field(
        default=None, description="見込まれる受講者・参加者の人数",
        json_schema_extra={
            "question": {"ja": "見込まれる受講者・参加者の人数は？（不明なら空欄）", "en": "How many learners or participants do you expect? (empty if unknown)"},
            "description_en": "Expected number of learners or participants",
        },
    )
    receive_raw_data: bool = Field(
        default=False, description="受講者・参加者が提供データ（加工後のものを含む）そのものを手元に受け取るか",
        json_schema_extra={
            "question": {"ja": "受講者・参加者が提供データそのものを手元に受け取りますか？", "en": "Will learners or participants receive the data itself?"},
            "description_en": "Whether learners or participants receive the data itself (including processed versions) on their own devices",
        },
    )
    minors: bool = Field(
        default=False, description="18歳未満の者が参加し得るか",
        json_schema_extra={
            "question": {"ja": "18歳未満の者が参加する可能性はありますか？", "en": "May anyone under 18 take part?"},
            "description_en": "Whether people under 18 may take part",
        },
    )
    abroad: bool = Field(
        default=False, description="外国に居住する者が参加し得るか",
        json_schema_extra={
            "question": {"ja": "外国に居住する者が参加する可能性はありますか？", "en": "May people living abroad take part?"},
            "description_en": "Whether people living abroad may take part",
        },
    )
    selection: Literal["open", "selected"] = Field(
        default="open", description="受講者・参加者の集め方: open（公募し、定型約款である規約への同意で参加）, selected（受託者等が個別に選抜し、個別に署名する同意書で参加）",
        json_schema_extra={
            "question": {"ja": "受講者・参加者をどう集めますか？ open（公募）, selected（個別に選抜）", "en": "How are learners or participants recruited? open (public call), selected (hand-picked)"},
            "description_en": "How learners or participants are recruited: open (public call; they join by accepting standard terms), selected (hand-picked; each signs an individual consent)",
        },
    )
    paid: bool = Field(
        default=False, description="受講者・参加者が作業の対価として報酬を受けるか（労働者性・フリーランス法の検討に使う）",
        json_schema_extra={
            "question": {"ja": "受講者・参加者は作業の対価として報酬を受けますか？", "en": "Are learners or participants paid for their work?"},
            "description_en": "Whether learners or participants are paid for their work (used to check employee status and the Freelance Act)",
        },
    )


class Prize(_Strict):
    rank: Text = Field(
        description="賞の名称（例: 最優秀賞）",
        json_schema_extra={
            "question": {"ja": "賞の名称は？（空欄で入力を終了）", "en": "Name of the prize? (empty to finish)"},
            "description_en": "Name of the prize (e.g. 最優秀賞)",
        },
    )
    amount_yen: Yen = Field(
        description="賞金額（円）",
        json_schema_extra={
            "question": {"ja": "賞金額（円）は？", "en": "Prize money (yen)?"},
            "description_en": "Prize money in yen",
        },
    )


class Hackathon(_Strict):
    event_name: Text = Field(
        description="ハッカソンの名称",
        json_schema_extra={
            "question": {"ja": "ハッカソンの名称は？", "en": "What is the hackathon called?"},
            "description_en": "Name of the hackathon",
        },
    )
    theme: Text = Field(
        description="提供者が示す課題（テーマ）",
        json_schema_extra={
            "question": {"ja": "提供者が示す課題（テーマ）は？", "en": "What challenge (theme) does the provider set?"},
            "description_en": "The challenge (theme) set by the provider",
        },
    )
    period: Text = Field(
        description="開催期間（例: 2027年2月1日から同月28日まで）",
        json_schema_extra={
            "question": {"ja": "開催期間は？", "en": "When does it run?"},
            "description_en": "When the hackathon runs (e.g. 2027年2月1日から同月28日まで)",
        },
    )
    platform: Text = Field(
        description="データを提供する運営者のプラットフォーム名",
        json_schema_extra={
            "question": {"ja": "データを提供する運営者のプラットフォーム名は？", "en": "On which of the organiser's platforms is the data provided?"},
            "description_en": "Name of the organiser's platform through which the data is provided",
        },
    )
    prizes: list[Prize] = Field(
        default_factory=list, description="賞と賞金。賞金がない場合は空",
        json_schema_extra={
            "question": {"ja": "賞と賞金を1件ずつ入力してください（賞金がなければ空欄のまま Enter）。", "en": "Enter the prizes one by one (just Enter if there are none)."},
            "description_en": "Prizes and prize money; empty if there is no prize money",
        },
    )
    prize_payer: Literal["provider", "organiser"] = Field(
        default="provider", description="賞金を負担する者",
        json_schema_extra={
            "question": {"ja": "賞金はどちらが負担しますか？ provider（提供者）, organiser（運営者）", "en": "Who pays the prize money?"},
            "description_en": "Who pays the prize money: provider (the data provider), organiser (the hackathon organiser)",
        },
    )
    costs_payer: Literal["provider", "organiser", "shared"] = Field(
        default="organiser", description="会場・プラットフォーム等の運営費用を負担する者（運営委託料は deal.fee）",
        json_schema_extra={
            "question": {"ja": "会場・プラットフォーム等の運営費用はどちらが負担しますか？ provider（提供者）, organiser（運営者）, shared（双方で分担）", "en": "Who bears the running costs (venue, platform)?"},
            "description_en": "Who bears the running costs such as venue and platform (the organising fee itself is deal.fee): provider (the data provider), organiser (the hackathon organiser), shared (split between them)",
        },
    )
    deliverable_rights: Literal["license", "assign_winners", "open"] = Field(
        default="license",
        description="応募成果物の権利: license（参加者に留保し提供者へ無償の非独占的利用許諾）, "
        "assign_winners（入賞者は賞金と引換えに提供者へ譲渡）, open（オープンライセンスで公開）",
        json_schema_extra={
            "question": {"ja": "応募成果物の権利をどうしますか？", "en": "What happens to the rights in the entries?"},
            "description_en": "Rights in the entries: license (kept by the participants, with a free non-exclusive licence to the provider), assign_winners (winners assign them to the provider in exchange for the prize), open (published under an open licence)",
        },
    )
    report_days: Annotated[int, Field(ge=1, le=180)] = Field(
        default=30, description="終了後、運営者が結果を報告するまでの日数",
        json_schema_extra={
            "question": {"ja": "終了後何日以内に運営者から結果を報告させますか？", "en": "Within how many days after the end must the organiser report?"},
            "description_en": "Days after the end within which the organiser reports the results",
        },
    )
    competitors_allowed: bool = Field(
        default=False, description="提供者の競合事業者の役職員の参加を認めるか",
        json_schema_extra={
            "question": {"ja": "提供者の競合事業者の役職員の参加を認めますか？", "en": "May employees of the provider's competitors take part?"},
            "description_en": "Whether officers and employees of the provider's competitors may take part",
        },
    )


class Consulting(_Strict):
    services: list[Text] = Field(
        min_length=1, description="委託業務の内容（課題の発見、データの特定・加工、ハッカソンの実施など）",
        json_schema_extra={
            "question": {"ja": "委託する業務の内容を1行に1つずつ入力してください。", "en": "List the services, one per line."},
            "description_en": "The services (finding the problem, identifying and preparing the data, running a hackathon and so on)",
        },
    )
    deliverables: list[Text] = Field(
        min_length=1, description="納入物（報告書、モデル、ソースコードなど）",
        json_schema_extra={
            "question": {"ja": "納入物を1行に1つずつ入力してください。", "en": "List the deliverables, one per line."},
            "description_en": "Deliverables (report, model, source code and so on)",
        },
    )
    contract_type: Literal["quasi_mandate", "work"] = Field(
        default="quasi_mandate", description="契約の性質: quasi_mandate（準委任）, work（請負。完成義務と印紙税に注意）",
        json_schema_extra={
            "question": {"ja": "契約の性質は？", "en": "What kind of contract is it?"},
            "description_en": "Nature of the contract: quasi_mandate (services contract without a duty to achieve a result), work (contract for work: a duty to complete, and stamp duty applies)",
        },
    )
    period: Text = Field(
        description="業務の実施期間",
        json_schema_extra={
            "question": {"ja": "業務の実施期間は？", "en": "When is the work done?"},
            "description_en": "Period in which the work is done",
        },
    )
    review_days: Annotated[int, Field(ge=1, le=60)] = Field(
        default=10, description="納入物の確認期間（日）",
        json_schema_extra={
            "question": {"ja": "納入物の確認期間は何日ですか？", "en": "How many days to review the deliverables?"},
            "description_en": "Days for reviewing the deliverables",
        },
    )
    deliverables_owner: Literal["provider", "consultant", "split"] = Field(
        default="split",
        description="納入物の権利: provider（委託料の支払により提供者に帰属）, consultant（受託者に留保し提供者へ利用許諾）, "
        "split（報告書は提供者、汎用的なノウハウ・プログラムは受託者）",
        json_schema_extra={
            "question": {"ja": "納入物の権利をどうしますか？", "en": "Who owns the deliverables?"},
            "description_en": "Rights in the deliverables: provider (belong to the provider once the fee is paid), consultant (kept by the consultant, licensed to the provider), split (reports to the provider, general know-how and programs to the consultant)",
        },
    )
    teaching_reuse: bool = Field(
        default=False, description="受託者が本件を匿名化した教材として二次利用することを認めるか（事前承認が条件）",
        json_schema_extra={
            "question": {"ja": "受託者が本件を匿名化した教材として二次利用することを認めますか？", "en": "May the consultant reuse the engagement, anonymised, as teaching material?"},
            "description_en": "Whether the consultant may reuse the engagement, anonymised, as teaching material (subject to prior approval)",
        },
    )
    fee_basis: Literal["performance", "outcome"] = Field(
        default="outcome", description="委託料の支払の基準: performance（履行割合型。業務の履行に応じて支払う。民法648条）, outcome（成果完成型。納入物の検査合格と引換えに支払う。民法648条の2）",
        json_schema_extra={
            "question": {"ja": "委託料は何に対して支払いますか？ performance（業務の履行）, outcome（成果の完成）", "en": "What is the fee paid for? performance (the work done), outcome (the deliverables completed)"},
            "description_en": "What the fee is paid for: performance (the work done, Civil Code 648), outcome (the deliverables, on acceptance; Civil Code 648-2)",
        },
    )


class Student(_Strict):
    name: Text = Field(
        description="学生の氏名",
        json_schema_extra={
            "question": {"ja": "学生の氏名は？（空欄で入力を終了）", "en": "Student's name? (empty to finish)"},
            "description_en": "Student's name",
        },
    )
    affiliation: Text = Field(
        description="所属（研究科・学年）",
        json_schema_extra={
            "question": {"ja": "所属（研究科・学年）は？", "en": "Affiliation (graduate school, year)?"},
            "description_en": "Affiliation (graduate school and year)",
        },
    )


class Research(_Strict):
    theme: Text = Field(
        description="研究題目（広すぎず狭すぎないもの）",
        json_schema_extra={
            "question": {"ja": "研究題目は？", "en": "What is the research title?"},
            "description_en": "Research title (neither too broad nor too narrow)",
        },
    )
    goal: Text = Field(
        description="研究の目的・内容",
        json_schema_extra={
            "question": {"ja": "研究の目的・内容は？", "en": "What are the aims and content of the research?"},
            "description_en": "Aims and content of the research",
        },
    )
    period: Text = Field(
        description="研究期間（例: 2027年4月1日から2028年3月31日まで）",
        json_schema_extra={
            "question": {"ja": "研究期間は？", "en": "When does the research run?"},
            "description_en": "Research period (e.g. 2027年4月1日から2028年3月31日まで)",
        },
    )
    provider_roles: list[Text] = Field(
        min_length=1, description="提供者の役割",
        json_schema_extra={
            "question": {"ja": "提供者の役割を1行に1つずつ入力してください。", "en": "List the provider's roles, one per line."},
            "description_en": "The provider's roles",
        },
    )
    university_roles: list[Text] = Field(
        min_length=1, description="大学の役割",
        json_schema_extra={
            "question": {"ja": "大学の役割を1行に1つずつ入力してください。", "en": "List the university's roles, one per line."},
            "description_en": "The university's roles",
        },
    )
    principal_investigator: Representative = Field(
        description="大学側の研究代表者（title に職名、name に氏名）",
        json_schema_extra={
            "question": {"ja": "大学側の研究代表者について伺います。", "en": "About the university's principal investigator."},
            "description_en": "The university's principal investigator (title: academic position, name: full name)",
        },
    )
    provider_lead: Representative = Field(
        description="提供者側の研究責任者（title に所属・職名、name に氏名）",
        json_schema_extra={
            "question": {"ja": "提供者側の研究責任者について伺います。", "en": "About the provider's research lead."},
            "description_en": "The provider's research lead (title: department and position, name: full name)",
        },
    )
    direct_cost_yen: Yen = Field(
        description="研究経費（直接経費、円）",
        json_schema_extra={
            "question": {"ja": "研究経費のうち直接経費（円）は？", "en": "Direct research costs (yen)?"},
            "description_en": "Research costs: direct costs in yen",
        },
    )
    indirect_cost_yen: Yen = Field(
        default=0, description="研究経費（間接経費、円）",
        json_schema_extra={
            "question": {"ja": "研究経費のうち間接経費（円）は？", "en": "Indirect research costs (yen)?"},
            "description_en": "Research costs: indirect costs in yen",
        },
    )
    results_owner: Literal["university", "joint", "company"] = Field(
        description="研究成果（知的財産権）の帰属: university（大学単独）, joint（共有）, company（企業単独）。既定値はなく、意識的に選ぶ",
        json_schema_extra={
            "question": {"ja": "研究成果（知的財産権）を誰に帰属させますか？", "en": "Who should own the research results (IP)?"},
            "description_en": "Who owns the research results (intellectual property): university (the university alone), joint (jointly owned), company (the company alone); no default, choose deliberately",
        },
    )
    non_practice_compensation: Literal["none", "royalty", "negotiate"] = Field(
        default="negotiate",
        description="共有の場合の不実施補償: none（なし）, royalty（実施料の支払）, negotiate（実施時に別途協議）",
        json_schema_extra={
            "question": {"ja": "共有の場合の不実施補償をどうしますか？", "en": "For joint ownership, what about non-practice compensation?"},
            "description_en": "Non-practice compensation for jointly owned results: none (none), royalty (royalties are paid), negotiate (to be agreed when the results are practised)",
        },
    )
    royalty_percent: Annotated[float, Field(gt=0, le=50)] | None = Field(
        default=None, description="不実施補償として企業が第三者への実施許諾・製品販売について大学に支払う実施料率（正味販売額等に対する%）。royalty のとき必須",
        json_schema_extra={
            "question": {"ja": "不実施補償の実施料率（%）は？", "en": "What royalty rate (%) is paid as non-practice compensation?"},
            "description_en": "Royalty rate (% of net sales) the company pays the university as non-practice compensation; required for royalty",
        },
    )
    in_house_royalty_percent: Annotated[float, Field(ge=0, le=50)] | None = Field(
        default=None, description="企業が自ら実施（自己実施）する場合の実施料率（%）。0 なら自己実施は無償。royalty のとき必須",
        json_schema_extra={
            "question": {"ja": "企業が自ら実施する場合の実施料率（%）は？（0 なら無償）", "en": "What royalty rate (%) applies to the company's own practice? (0 for none)"},
            "description_en": "Royalty rate (%) for the company's own practice of the results; 0 means own practice is free; required for royalty",
        },
    )
    export_control: Literal["not_controlled", "controlled", "unchecked"] = Field(
        default="unchecked", description="安全保障貿易管理: not_controlled（該非判定の結果、規制対象の技術を含まない）, controlled（外為法の規制対象技術を含む）, unchecked（未判定）",
        json_schema_extra={
            "question": {"ja": "研究で扱う技術・データの該非判定の結果は？", "en": "What is the export-control classification of the technology and data?"},
            "description_en": "Security export control: not_controlled (classified; no controlled technology), controlled (includes technology controlled under the Foreign Exchange Act), unchecked (not yet classified)",
        },
    )
    thesis_use: bool = Field(
        default=True, description="学生が研究成果を学位論文に用いることを認めるか（事前確認が条件）",
        json_schema_extra={
            "question": {"ja": "学生が研究成果を学位論文に用いることを認めますか？", "en": "May students use the results in their theses?"},
            "description_en": "Whether students may use the results in their theses (subject to prior confirmation)",
        },
    )
    teaching_use: bool = Field(
        default=False, description="大学が研究成果を教材に用いることを認めるか",
        json_schema_extra={
            "question": {"ja": "大学が研究成果を教材に用いることを認めますか？", "en": "May the university use the results in teaching materials?"},
            "description_en": "Whether the university may use the results in teaching materials",
        },
    )
    students: list[Student] = Field(
        default_factory=list, description="参加する学生。記載があれば学生ごとに誓約書を作成し、空なら記入式の誓約書を1通作成",
        json_schema_extra={
            "question": {"ja": "参加する学生を1人ずつ入力してください（未定なら空欄のまま Enter。記入式の誓約書を1通作成します）。", "en": "Enter the participating students one by one (just Enter if not yet known; one blank pledge form is made)."},
            "description_en": "Participating students; a pledge is drafted for each one listed, or a single blank pledge form if empty",
        },
    )


class Course(_Strict):
    name: Text = Field(
        description="提供データを用いる講座・教材の名称",
        json_schema_extra={
            "question": {"ja": "データを用いる講座・教材の名称は？", "en": "What is the course or teaching material called?"},
            "description_en": "Name of the course or teaching material that uses the data",
        },
    )
    audience: Text = Field(
        description="受講者の範囲（例: 受領者が運営する社会人向け講座の受講者）",
        json_schema_extra={
            "question": {"ja": "受講者の範囲は？", "en": "Who are the learners?"},
            "description_en": "Who the learners are (e.g. 受領者が運営する社会人向け講座の受講者)",
        },
    )
    cohorts: Annotated[int, Field(ge=1, le=50)] = Field(
        default=1, description="利用できる開講回数（期数）",
        json_schema_extra={
            "question": {"ja": "何回（何期）の開講に利用できますか？", "en": "For how many course runs (cohorts) may the data be used?"},
            "description_en": "Number of course runs (cohorts) the data may be used for",
        },
    )
    materials_publication: Literal["none", "approval", "free"] = Field(
        default="approval",
        description="教材の外部公開: none（認めない）, approval（提供者の事前承認が条件）, free（自由）",
        json_schema_extra={
            "question": {"ja": "教材の外部公開を認めますか？", "en": "May the teaching materials be published?"},
            "description_en": "Publishing the teaching materials: none (not allowed), approval (with the provider's prior approval), free (freely)",
        },
    )


class Version(_Strict):
    drafter: Literal["provider", "recipient"] | None = Field(
        default=None, description="この版を作成した当事者: provider（提供者。甲案）, recipient（相手方。乙案）。省略時は表示しない",
        json_schema_extra={
            "question": {"ja": "この版はどちらの案ですか？ provider（甲案）, recipient（乙案）（空欄なら表示しない）", "en": "Whose draft is this version? provider, recipient (empty: not shown)"},
            "description_en": "The party that prepared this version: provider (shown as 甲案), recipient (shown as 乙案); not shown if omitted",
        },
    )
    number: Annotated[int, Field(ge=1, le=99)] = Field(
        default=1, description="版の番号（第1版、第2版…）",
        json_schema_extra={
            "question": {"ja": "第何版ですか？", "en": "Which version number is this?"},
            "description_en": "The version number (第1版, 第2版, ...)",
        },
    )
    date: Day | None = Field(
        default=None, description="この版の日付（YYYY-MM-DD）。省略時は表示しない",
        json_schema_extra={
            "question": {"ja": "この版の日付は？（空欄なら表示しない）", "en": "What is the date of this version? (empty: not shown)"},
            "description_en": "The date of this version (YYYY-MM-DD); not shown if omitted",
        },
    )


Goal = Literal["money", "talent", "pr", "deliverables", "research"]


class Constraints(_Strict):
    budget_yen: Yen | None = Field(
        default=None, description="提供者が負担できる費用の上限（円）。省略時は制約なし",
        json_schema_extra={
            "question": {"ja": "提供者が負担できる費用の上限（円）は？（制約がなければ空欄）", "en": "What is the most the provider can spend (yen)? (empty if no limit)"},
            "description_en": "Most the provider can spend, in yen; no constraint if omitted",
        },
    )
    max_recipients: People | None = Field(
        default=None, description="データを渡してよい相手（受講者・参加者を含む）の人数の上限。省略時は制約なし",
        json_schema_extra={
            "question": {"ja": "データを渡してよい相手の人数の上限は？（制約がなければ空欄）", "en": "At most how many people may receive the data? (empty if no limit)"},
            "description_en": "Most people (including learners and participants) the data may go to; no constraint if omitted",
        },
    )
    need_control: bool = Field(
        default=False, description="提供後もデータの利用を厳格に管理する必要があるか",
        json_schema_extra={
            "question": {"ja": "提供後もデータの利用を厳格に管理する必要がありますか？", "en": "Must the use of the data stay tightly controlled after provision?"},
            "description_en": "Whether the use of the data must stay tightly controlled after provision",
        },
    )


class Deal(_Strict):
    purpose: Text = Field(
        description="本目的: データを利用できる目的（具体的に。例: 「〇〇講座」の教材の作成及び講座の運営）",
        json_schema_extra={
            "question": {"ja": "相手方がデータを利用できる目的は？（具体的に）", "en": "For what purpose may the counterparty use the data? (be specific)"},
            "description_en": "The Purpose: what the data may be used for (be specific, e.g. 「〇〇講座」の教材の作成及び講座の運営)",
        },
    )
    program_name: Text = Field(
        description="取組の名称（講座名、ハッカソン名、研究題目の略称など。前文と定義に用いる）",
        json_schema_extra={
            "question": {"ja": "取組の名称（講座名、ハッカソン名、研究題目の略称など）は？", "en": "What is the programme called (course, hackathon, short research title)?"},
            "description_en": "Name of the programme (course name, hackathon name, short research title; used in the preamble and definitions)",
        },
    )
    contract_date: Day | None = Field(
        default=None, description="契約締結日（YYYY-MM-DD）。省略すると日付欄を記入用の空欄にする",
        json_schema_extra={
            "question": {"ja": "契約締結日は？（YYYY-MM-DD。空欄なら日付欄を空けておく）", "en": "What is the contract date? (YYYY-MM-DD; empty leaves a blank to fill in)"},
            "description_en": "Contract date (YYYY-MM-DD); if omitted, the date line is left blank to be filled in by hand",
        },
    )
    nda_date: Day | None = Field(
        default=None,
        description="秘密保持契約の締結日（YYYY-MM-DD）。本契約の締結日以前の日。省略すると秘密保持契約の日付欄と本契約中の引用の日付を記入用の空欄にする",
        json_schema_extra={
            "question": {"ja": "秘密保持契約の締結日は？（本契約より前の日。空欄なら記入用に空けておく）", "en": "When is (was) the NDA signed? (on or before the contract date; empty leaves a blank)"},
            "description_en": "Date the NDA is signed (YYYY-MM-DD), on or before the contract date; if omitted, the NDA's date line and the main agreement's citation of it are left blank to be filled in",
        },
    )
    term_months: Annotated[int, Field(ge=1, le=120)] = Field(
        default=12, description="契約の有効期間（月）",
        json_schema_extra={
            "question": {"ja": "契約の有効期間は何か月ですか？", "en": "How many months should the contract run?"},
            "description_en": "Term of the contract (months)",
        },
    )
    fee: Fee = Field(
        description="金銭の対価。data_provision: 受領者が提供者に支払うデータ利用料。paid_consulting: 提供者が支払う委託料。"
        "joint_research: research の研究経費を用いるため free。hackathon: 提供者が運営者に支払う運営委託料",
        json_schema_extra={
            "question": {"ja": "金銭の対価について伺います。", "en": "About the fee."},
            "description_en": "The monetary consideration. data_provision: data fee the recipient pays the provider. paid_consulting: consulting fee the provider pays. joint_research: free, because the research costs in deal.research are used. hackathon: organising fee the provider pays the organiser",
        },
    )
    derived_data: Literal["provider", "recipient", "shared"] | None = Field(
        default=None,
        description="派生データの権利: provider（提供者に帰属）, recipient（受領者に帰属し提供者へ利用許諾）, shared（双方が利用可）。省略時は stance に従う",
        json_schema_extra={
            "question": {"ja": "派生データ（加工・分析の結果）の権利はどうしますか？（空欄なら stance に従う）", "en": "Who should hold the derived data? (empty to follow the stance)"},
            "description_en": "Rights in derived data: provider (belongs to the provider), recipient (belongs to the recipient, licensed to the provider), shared (both may use it); follows the stance if omitted",
        },
    )
    confidentiality_years: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="契約終了後に秘密保持義務が存続する年数。省略時は stance に従う",
        json_schema_extra={
            "question": {"ja": "契約終了後、秘密保持義務を何年存続させますか？（空欄なら stance に従う）", "en": "For how many years after the end should confidentiality last? (empty to follow the stance)"},
            "description_en": "Years the confidentiality obligations survive the end of the contract; follows the stance if omitted",
        },
    )
    nda_data: Literal["sample", "full"] = Field(
        default="sample", description="秘密保持契約の段階で開示するデータ: sample（検討用のサンプルのみ。提供データ全体は本契約の締結後に提供）, full（提供データ全体）",
        json_schema_extra={
            "question": {"ja": "秘密保持契約の段階でどこまでデータを開示しますか？ sample（サンプルのみ）, full（全体）", "en": "How much data is disclosed at the NDA stage? sample (a sample only), full (the whole dataset)"},
            "description_en": "Data disclosed at the NDA stage: sample (an evaluation sample only; the whole dataset after the main agreement is signed), full (the whole dataset)",
        },
    )
    publication: Publication = Field(
        default_factory=Publication, description="成果の公表",
        json_schema_extra={
            "question": {"ja": "成果の公表について伺います。", "en": "About publishing the results."},
            "description_en": "Publication of results",
        },
    )
    deletion: Deletion = Field(
        default_factory=Deletion, description="契約終了時のデータの消去又は返還",
        json_schema_extra={
            "question": {"ja": "契約終了時のデータの扱いについて伺います。", "en": "About the data when the contract ends."},
            "description_en": "Deletion or return of the data when the contract ends",
        },
    )
    liability_cap: LiabilityCap = Field(
        description="損害賠償額の上限",
        json_schema_extra={
            "question": {"ja": "損害賠償額の上限について伺います。", "en": "About the cap on damages."},
            "description_en": "Cap on liability for damages",
        },
    )
    court: Text = Field(
        description="専属的合意管轄裁判所（例: 東京地方裁判所）",
        json_schema_extra={
            "question": {"ja": "紛争時の専属的合意管轄裁判所は？", "en": "Which court should have exclusive jurisdiction?"},
            "description_en": "Court with exclusive agreed jurisdiction (e.g. 東京地方裁判所)",
        },
    )
    execution: Literal["paper", "electronic"] = Field(
        default="electronic", description="締結方法: paper（書面に記名押印）, electronic（電子署名）",
        json_schema_extra={
            "question": {"ja": "契約をどの方法で締結しますか？", "en": "How will the contract be signed?"},
            "description_en": "How the contract is executed: paper (printed, with names and seals), electronic (electronic signature)",
        },
    )
    date_style: Literal["seireki", "wareki"] = Field(
        default="seireki", description="日付の表記: seireki（西暦。例: 2027年4月1日）, wareki（和暦。例: 令和9年4月1日）",
        json_schema_extra={
            "question": {"ja": "契約書の日付をどの暦で書きますか？", "en": "Which calendar should the contracts' dates use?"},
            "description_en": "How dates are written: seireki (Western calendar, e.g. 2027年4月1日), wareki (Japanese era, e.g. 令和9年4月1日)",
        },
    )
    generative_ai: Literal["prohibited", "approved_only"] = Field(
        default="prohibited",
        description="外部の生成AIサービスへの提供データの入力: prohibited（禁止）, approved_only（入力内容を学習・保持しない"
        "サービスに限り事前の書面承諾で可）",
        json_schema_extra={
            "question": {"ja": "外部の生成AIサービスに提供データを入力することを認めますか？", "en": "May the data be entered into external generative-AI services?"},
            "description_en": "Entering the data into external generative-AI services: prohibited (not allowed), approved_only (allowed with prior written consent, only for services that neither learn from nor keep the input)",
        },
    )
    learners: Learners = Field(
        default_factory=Learners, description="受講者・参加者・学習者",
        json_schema_extra={
            "question": {"ja": "受講者・参加者について伺います。", "en": "About learners and participants."},
            "description_en": "Learners, participants and students",
        },
    )
    goals: list[Goal] = Field(
        default_factory=list,
        description="提供者の目的（モデル推奨に使う）: money（対価）, talent（人材との接点）, pr（広報）, "
        "deliverables（成果物）, research（研究成果）",
        json_schema_extra={
            "question": {"ja": "提供者としての目的を1行に1つずつ選んでください（モデルの推奨に使います）。", "en": "Choose the provider's goals, one per line (used to recommend a model)."},
            "description_en": "The provider's goals (used to recommend a model): money (income), talent (contact with talent), pr (publicity), deliverables (work products), research (research results)",
        },
    )
    constraints: Constraints = Field(
        default_factory=Constraints, description="提供者の制約（モデル推奨に使う）",
        json_schema_extra={
            "question": {"ja": "提供者側の制約について伺います（モデルの推奨に使います）。", "en": "About the provider's constraints (used to recommend a model)."},
            "description_en": "The provider's constraints (used to recommend a model)",
        },
    )
    version: Version = Field(
        default_factory=Version, description="相手方に送る版の表示（ヘッダーに「甲案・第2版・2027年3月1日」のように表示する）",
        json_schema_extra={
            "question": {"ja": "送付する版の表示について伺います。", "en": "About the version label of the draft you send."},
            "description_en": "The version label printed in the header of the drafts sent to the counterparty (e.g. 甲案・第2版・2027年3月1日)",
        },
    )
    choices: dict[str, str] = Field(
        default_factory=dict,
        description="条項ごとのバリエーションの明示的な指定（条項ID: バリエーションID）。stance より優先する",
        json_schema_extra={
            "question": {"ja": "条項ごとのバリエーションを明示的に指定しますか？", "en": "Do you want to pick clause variants explicitly?"},
            "description_en": "Explicit variant per clause (clause ID: variant ID); overrides the stance",
        },
    )
    hackathon: Hackathon | None = Field(
        default=None, description="ハッカソン型の取組の内容（model が hackathon のとき必須）",
        json_schema_extra={
            "question": {"ja": "ハッカソンの内容について伺います。", "en": "About the hackathon."},
            "description_en": "The hackathon (required when model is hackathon)",
        },
    )
    consulting: Consulting | None = Field(
        default=None, description="有償コンサル型の業務の内容（model が paid_consulting のとき必須）",
        json_schema_extra={
            "question": {"ja": "コンサルティング業務の内容について伺います。", "en": "About the consulting work."},
            "description_en": "The consulting engagement (required when model is paid_consulting)",
        },
    )
    research: Research | None = Field(
        default=None, description="共同研究型の研究の内容（model が joint_research のとき必須）",
        json_schema_extra={
            "question": {"ja": "共同研究の内容について伺います。", "en": "About the joint research."},
            "description_en": "The joint research (required when model is joint_research)",
        },
    )
    course: Course | None = Field(
        default=None, description="データ提供型で教材を作る講座（model が data_provision のとき必須）",
        json_schema_extra={
            "question": {"ja": "データを用いる講座・教材について伺います。", "en": "About the course or teaching materials that use the data."},
            "description_en": "The course whose teaching materials use the data (required when model is data_provision)",
        },
    )


class Answers(_Strict):
    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="回答ファイルの形式の版（現在は 1）",
        json_schema_extra={
            "question": {"ja": "回答ファイルの形式の版は？", "en": "Which version of the answers-file format is this?"},
            "description_en": "Version of the answers-file format (currently 1)",
        },
    )
    model: Literal[(*MODEL_IDS, AUTO)] = Field(
        description="提供モデル: hackathon（ハッカソン型）, paid_consulting（有償コンサル型）, joint_research（共同研究型）, "
        "data_provision（データ提供型）, auto（わからない。deal.goals と deal.constraints から推奨されたモデル）",
        json_schema_extra={
            "question": {"ja": "どの提供モデルで契約書を作成しますか？（わからなければ auto。目的を伺い、理由を添えて推奨します）", "en": "Which provision model should the contracts follow? (auto if unsure: the goals are asked and a model is recommended with the reasons)"},
            "description_en": "Provision model: hackathon (hackathon run by an organiser), paid_consulting (paid consulting engagement), joint_research (joint research with a university), data_provision (data provided for teaching materials), auto (not sure: the model recommended from deal.goals and deal.constraints)",
        },
    )
    stance: Literal[STANCES] = Field(
        default="balanced", description="条項の選択をどちらの利益に寄せるか: provider, balanced, recipient",
        json_schema_extra={
            "question": {"ja": "条項はどちらの利益に寄せますか？ provider（提供者寄り）, balanced（中立。迷ったらこれ）, recipient（相手方寄り）", "en": "Whose interests should the clauses favour? (balanced if unsure)"},
            "description_en": "Whose interests the clause choices favour: provider (the data provider), balanced (even-handed), recipient (the counterparty)",
        },
    )
    parties: Parties = Field(
        description="当事者",
        json_schema_extra={
            "question": {"ja": "当事者について伺います。", "en": "About the parties."},
            "description_en": "The parties",
        },
    )
    data: Data = Field(
        description="提供データ",
        json_schema_extra={
            "question": {"ja": "提供するデータについて伺います。", "en": "About the data to be provided."},
            "description_en": "The data to be provided",
        },
    )
    deal: Deal = Field(
        description="取引の条件",
        json_schema_extra={
            "question": {"ja": "取引の条件について伺います。", "en": "About the terms of the deal."},
            "description_en": "The terms of the deal",
        },
    )

    @model_validator(mode="after")
    def _model_section(self) -> Answers:
        if self.model == AUTO:
            if not self.deal.goals:
                raise Refusal("model.goals", field="deal.goals")
            return self  # the section of the recommended model is checked once it is chosen
        wanted = SECTION_FOR_MODEL[self.model]
        for model, section in SECTION_FOR_MODEL.items():
            present = getattr(self.deal, section) is not None
            if section == wanted and not present:
                raise Refusal("model.section", field=f"deal.{section}", model=self.model,
                              model_label=_label_of(Answers, "model", self.model))
            if section != wanted and present:
                raise Refusal("model.other_section", field=f"deal.{section}", owner=model,
                              owner_label=_label_of(Answers, "model", model), model=self.model)
        if self.model == "joint_research" and not self.parties.recipient.is_university:
            raise Refusal("model.university", field="parties.recipient.kind")
        return self

    def lookup(self, path: str) -> Any:
        """Value at a dotted path such as ``data.personal_info``; KeyError if the path is not a field."""
        from contracts.vocabulary import value

        return value(self, path)


# --------------------------------------------------------------------------- loading


def printable(text: str, keep: str = "") -> str:
    """Text that is safe to print on a terminal: control characters, surrogates, bidirectional controls and other
    invisible code points from user input become escapes (``\\x1b``, ``\\u202e``), so that an unknown key cannot
    move the cursor, recolour the terminal or reorder the message. Characters in ``keep`` (a newline) stay."""
    import unicodedata

    out = []
    for ch in text:
        if ch in keep or not (
            _FORBIDDEN.match(ch) or ch in BIDI_CONTROLS or ch in "\t\n\u2028\u2029"
            or unicodedata.category(ch) in ("Cs", "Co", "Cn")
        ):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


class AnswersError(Exception):
    """Bad answers: each problem names the field (its label and dotted path), the value and what is accepted.

    ``problems`` holds (field path, message) pairs in the language in use (``contracts.messages``); ``details`` the
    same as ``contracts.messages.Problem`` objects, rendered on demand in any language; ``lines`` the line of each
    field in the file where it is known (YAML). ``str()`` is the report a user reads, in the language in use::

        answers.yaml: 回答に誤りがあります（1件）
          契約期間（月）（deal.term_months）: 「２４か」は月数として読めません。例: 24（２４、24か月、24ヶ月 も可）（12行目）

    Problems may be given as (path, message) pairs (a message written elsewhere, shown as written; a
    「日本語 (English)」 message in the language in use) or as ``Problem`` objects. The report escapes control
    characters from the input."""

    def __init__(self, source: str, problems: list, lines: dict[str, int] | None = None):
        self.source = source
        self.lines = lines or {}
        self.details: list[Problem] = [p if isinstance(p, Problem) else Problem.plain(p[0], p[1]) for p in problems]
        super().__init__(source)

    def __reduce__(self):  # whole across processes (a batch worker), rendered there in the receiver's language
        return (AnswersError, (self.source, self.details, self.lines))

    @property
    def problems(self) -> list[tuple[str, str]]:
        return [(p.path, p.message()) for p in self.details]

    def line_of(self, problem: Problem) -> int | None:
        return problem.line if problem.line is not None else _line_of(problem.path, self.lines)

    def report(self, lang: str | None = None) -> str:
        shown = [_msg.text("answers.invalid", lang, source=printable(self.source), count=len(self.details))]
        # in the order of the file where the lines are known (fix it top to bottom), else in the model's order
        ordered = sorted(self.details, key=lambda p: (self.line_of(p) is None, self.line_of(p) or 0))
        for p in ordered:
            shown.append("  " + printable(p.line_text(lang, self.line_of(p))))
        return "\n".join(shown)

    def __str__(self) -> str:
        return self.report()


def _line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of a field, or of the nearest enclosing one that is in the file (a missing field's section)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


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


def _field_at(loc: tuple) -> tuple[type | None, str | None]:
    """The model class and field name an error location points at (None, None when it is not a field)."""
    parent, name, _ = owner_at(loc)
    return parent, name


def _model_at(loc: tuple) -> type | None:
    """The model class that holds the key at ``loc`` (an unknown key's section)."""
    from contracts.vocabulary import entry

    names = [str(p) for p in loc[:-1] if not isinstance(p, int)]
    if not names:
        return Answers
    try:
        return entry(".".join(names)).model
    except KeyError:
        return None


def _unknown_key(path: str, loc: tuple) -> Problem:
    """An unknown key, with the closest known key of its section, or the place a known field of that name lives."""
    key = str(loc[-1])
    cls = _model_at(loc)
    known = list(cls.model_fields) if cls is not None else []
    suggestion = _msg.closest(key, known)
    if suggestion:
        return Problem(path, "field.unknown.suggest", {"suggestion": suggestion})
    from contracts.vocabulary import paths

    elsewhere = [p for p in paths() if p.rsplit(".", 1)[-1] == key]
    if len(elsewhere) == 1:
        where = elsewhere[0]
        return Problem(path, "field.unknown.elsewhere",
                       {"suggestion": where, "label": _msg.Deferred(lambda lang: _msg.field_label(where, lang) or where)})
    return Problem(path, "field.unknown")


def _limit(kind_of_field: str | None, key: str, limit: Any, value: Any) -> Problem:
    shown = f"{limit:,}" if isinstance(limit, int) and not isinstance(limit, bool) else str(limit)
    value_shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    unit = kind_of_field if kind_of_field in ("yen", "months", "days", "years", "people", "times", "percent") else None
    return Problem("", key, {"limit": shown, "value": value_shown,
                             "unit": _msg.Deferred(lambda lang: _unit_text(unit, lang))})


def describe_error(err: dict, path: str = "") -> Problem:
    """One of pydantic's errors (``ValidationError.errors()``) as the catalogue message for the field at ``path``:
    for front ends that validate a single field themselves (the interview's ``TypeAdapter``, whose error locations
    are relative to the field)."""
    loc = tuple(int(p) if p.isdigit() else p for p in re.sub(r"\[(\d+)\]", r".\1", path).split(".") if p)
    return _message(dict(err, loc=loc + tuple(err.get("loc") or ())), path)


def _message(err: dict, path: str = "") -> Problem:
    """pydantic's error -> a catalogue message (never pydantic's English). With ``_Strict`` and ``Day`` this is the
    "written forms" place: the value, what the field takes and an example of what is accepted, the limits in words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    error = ctx.get("error")
    cls, name = _field_at(err["loc"])
    field_kind_, _ = field_kind(cls, name) if cls is not None and name is not None else (None, False)
    if isinstance(value, _Unread):
        return value.error.problem(path)
    if isinstance(error, _parse.Unreadable):
        return error.problem(path)
    if isinstance(error, Refusal):
        return error.problem(path)
    if kind == "missing":
        return Problem(path, "field.missing")
    if kind == "extra_forbidden":
        return _unknown_key(path, err["loc"])
    if kind in ("bool_type", "int_type", "float_type", "int_from_float", "int_parsing", "bool_parsing", "float_parsing",
                "date_type", "date_parsing", "finite_number"):
        shown = field_kind_ if field_kind_ not in (None, "text", "choice") else {
            "bool_type": "bool", "bool_parsing": "bool", "date_type": "date", "date_parsing": "date",
            "float_type": "float", "float_parsing": "float", "finite_number": "float"}.get(kind, "int")
        return _parse.Unreadable(shown, value).problem(path)
    if kind in ("literal_error", "enum"):
        options = choices(cls, name) if cls is not None and name is not None else ()
        labels = value_labels(cls, name) if cls is not None and name is not None else None
        return _parse.Unreadable("choice", value, "value.choice", options=options, labels=labels).problem(path)
    if kind == "string_type":
        return Problem(path, "value.text", {"value": _msg.Deferred(lambda lang: _msg.shown_value(value, lang)),
                                            "example": str(value)[:40]})
    if kind == "list_type":
        return Problem(path, "value.list", {"value": _msg.Deferred(lambda lang: _msg.shown_value(value, lang))})
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return Problem(path, "value.mapping", {"value": _msg.Deferred(lambda lang: _msg.shown_value(value, lang))})
    if kind == "too_short":
        return Problem(path, "value.empty_list", {"min": ctx.get("min_length", 1)})
    if kind == "too_long":
        return Problem(path, "value.too_many_entries", {"max": ctx.get("max_length"), "count": ctx.get("actual_length")})
    if kind in ("less_than_equal", "less_than"):
        p = _limit(field_kind_, "limit.at_most", ctx.get("le", ctx.get("lt")), value)
        return Problem(path, p.key, p.params)
    if kind == "greater_than_equal":
        p = _limit(field_kind_, "limit.at_least", ctx.get("ge"), value)
        return Problem(path, p.key, p.params)
    if kind == "greater_than":
        p = _limit(field_kind_, "limit.more_than", ctx.get("gt"), value)
        return Problem(path, p.key, p.params)
    if kind == "value_error" and error is not None:
        return Problem.plain(path, str(error))
    return Problem(path, "value.invalid", {"value": _msg.Deferred(lambda lang: _msg.shown_value(value, lang))})


def _raw_problems(node: Any, path: str = "") -> list[Problem]:
    """Before the model sees the data: every key and every text anywhere (also unknown keys and ``deal.choices``) is
    valid Unicode, and no list is longer than MAX_LIST_ENTRIES. A lone surrogate reaching a writer truncates the text."""
    import unicodedata

    def bad_text(text: str) -> Refusal | None:
        for ch in text:
            if unicodedata.category(ch) == "Cs":
                return Refusal("text.surrogate", code=f"U+{ord(ch):04X}")
        return None

    found: list[Problem] = []
    if isinstance(node, str):
        problem = bad_text(node)
        if problem:
            found.append(problem.problem(path or "(top level)"))
    elif isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and bad_text(key):
                inner = bad_text(key)
                found.append(Problem(sub, "text.key", {"problem": _msg.Deferred(lambda lang, r=inner: r.problem("").message(lang))}))
                continue
            found += _raw_problems(value, sub)
    elif isinstance(node, list):
        if len(node) > MAX_LIST_ENTRIES:
            found.append(Problem(path, "value.too_many_entries", {"max": MAX_LIST_ENTRIES, "count": len(node)}))
        for i, value in enumerate(node[:MAX_LIST_ENTRIES]):
            found += _raw_problems(value, f"{path}[{i}]")
    return found


def validate_answers(raw: Any, source: str = "answers", lines: dict[str, int] | None = None) -> Answers:
    """Plain answers data (a parsed file, a form, a CSV row over a base) -> ``Answers``, or ``AnswersError`` naming
    every problem with its field. Text in the documented lenient forms is read on the way (``_Strict``)."""
    if not isinstance(raw, dict):
        raise AnswersError(source, [Problem("(top level)", "file.not_mapping")])
    early = _raw_problems(raw)
    if early:
        raise AnswersError(source, early, lines)
    try:
        return Answers.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _path(err["loc"])
            problem = _message(err, path)
            error = (err.get("ctx") or {}).get("error")
            if isinstance(error, Refusal) and error.field:
                # A model-level check names the field it is about: move it into the path.
                where = error.field if "." in error.field else (f"{path}.{error.field}" if path != "(top level)" else error.field)
                problem = Problem(where, problem.key, problem.params, problem.line)
            elif problem.key is None and err["type"] == "value_error":
                # A message written elsewhere as "field: message": move the field into the path.
                msg = problem.message()
                if ": " in msg and " " not in msg.split(": ", 1)[0]:
                    field, msg = msg.split(": ", 1)
                    problem = Problem.plain(f"{path}.{field}" if path != "(top level)" else field, msg)
            problems.append(problem)
        raise AnswersError(source, problems, lines) from None


class _UniqueKeyLoader:
    """Builds a yaml SafeLoader that rejects duplicate keys, keys that are not text, and aliases (no billion-laughs).

    Plain scalars resolve as in YAML 1.2: only true/false are booleans and only decimal digits are integers, so that
    ``yes``, ``on``, ``010`` (octal 8 in YAML 1.1), ``0x1F`` and ``1:30`` (90) stay text and go through the one
    lenient parser (``contracts.parse``), which reads what it documents (yes → true, 010 → 10) and refuses the rest.

    ``make(libyaml=True)`` is the same loader with libyaml's scanner and parser (``yaml.cyaml.CParser``) under the
    same Python composer, resolvers and constructors: only the source of the events differs, so that the bounds, the
    alias refusal and every constructed value are one code (see ``parse_with_lines`` for when it is used).
    """

    @staticmethod
    @functools.cache
    def make(libyaml: bool = False):
        import yaml

        base = yaml.SafeLoader
        if libyaml:
            from yaml.constructor import SafeConstructor
            from yaml.resolver import Resolver

            class Libyaml(yaml.composer.Composer, yaml.cyaml.CParser, SafeConstructor, Resolver):
                # Composer before CParser: libyaml's own composer (CParser.get_single_node) has neither the bounds
                # nor the alias refusal, and recurses in C without limit.
                def __init__(self, stream):
                    yaml.cyaml.CParser.__init__(self, stream)
                    yaml.composer.Composer.__init__(self)
                    SafeConstructor.__init__(self)
                    Resolver.__init__(self)

            base = Libyaml

        class Loader(base):
            pass

        bool_tag, int_tag = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"
        Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag not in (bool_tag, int_tag)]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        Loader.add_implicit_resolver(bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
        Loader.add_implicit_resolver(int_tag, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
        Loader.add_constructor(int_tag, lambda loader, node: int(loader.construct_scalar(node), 10))

        def construct_mapping(loader, node, deep=False):
            keys = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = loader.construct_object(key_node, deep=deep)
                if not isinstance(key, str):
                    raise yaml.constructor.ConstructorError(
                        None, None, _msg.text("yaml.key_not_text", kind=type(key).__name__), key_node.start_mark
                    )
                if key in keys:
                    raise yaml.constructor.ConstructorError(
                        None, None, _msg.text("yaml.duplicate_key", key=repr(key)), key_node.start_mark
                    )
                keys.add(key)
            return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)

        def timestamp_or_text(loader, node):
            # 2027-02-30 looks like a date to YAML but is none: keep the text, so that the field's own check
            # (Day) names the field and the line instead of the whole file failing to parse.
            try:
                return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
            except ValueError:
                return loader.construct_scalar(node)

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_or_text)
        original = Loader.compose_node

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, _msg.text("yaml.alias"), event.start_mark)
            # Bounds, so that a hostile file fails in well under a second instead of running the pure-Python
            # parser for minutes: an answers file is a few hundred nodes, at most 6 levels deep.
            self._keiyaku_nodes = getattr(self, "_keiyaku_nodes", 0) + 1
            depth = getattr(self, "_keiyaku_depth", 0)
            if depth >= MAX_YAML_DEPTH or self._keiyaku_nodes > MAX_YAML_NODES:
                what = _msg.text("yaml.too_deep", depth=MAX_YAML_DEPTH) if depth >= MAX_YAML_DEPTH else (
                    _msg.text("yaml.too_many", count=f"{MAX_YAML_NODES:,}"))
                raise yaml.composer.ComposerError(None, None, what, self.peek_event().start_mark)
            self._keiyaku_depth = depth + 1
            try:
                return original(self, parent, index)
            finally:
                self._keiyaku_depth = depth

        Loader.compose_node = compose_node
        return Loader


MAX_ANSWERS_BYTES = 512 * 1024  # real answers files are a few KiB; the pure-Python YAML parser needs ~1 s per MiB
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 10_000


def _node_lines(node, path: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Dotted field path (as in error messages: ``data.items[1]``) -> line number, from the composed YAML."""
    import yaml

    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                sub = f"{path}.{key_node.value}" if path else key_node.value
                out[sub] = key_node.start_mark.line + 1
                _node_lines(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[f"{path}[{i}]"] = item.start_mark.line + 1
            _node_lines(item, f"{path}[{i}]", out)
    return out


class _Refused(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(_msg.text("yaml.duplicate_key", key=repr(key)))  # the last one silently winning would mislead
        seen[key] = value
    return seen


def _json_constant(name: str):
    raise _Refused(_msg.text("json.constant", name=name))


def parse_with_lines(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """YAML (a superset of JSON) or JSON text to plain data and the line of each field, with errors naming the line."""
    import yaml

    if source.endswith(".json"):
        try:
            return json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant), {}
        except json.JSONDecodeError as exc:
            raise AnswersError(source, [Problem("(file)", "json.malformed", {"problem": exc.msg}, exc.lineno)]) from None
        except RecursionError:
            raise AnswersError(source, [Problem("(file)", "json.malformed", {"problem": _msg.text("file.nested")})]) from None
        except ValueError as exc:  # duplicate keys, NaN, an integer of more than 4,300 digits
            raise AnswersError(source, [Problem("(file)", "json.malformed", {"problem": _short(exc)})]) from None
    if yaml.__with_libyaml__ and not _LIBYAML_DIFFERS.search(text):
        try:
            return _compose_and_construct(text, _UniqueKeyLoader.make(libyaml=True))
        except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
            pass  # read again below, for the message (worded by PyYAML) or where libyaml is the stricter of the two
    try:
        return _compose_and_construct(text, _UniqueKeyLoader.make())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise AnswersError(source, [Problem("(file)", "yaml.malformed", {"problem": problem},
                                            mark.line + 1 if mark else None)]) from None
    except RecursionError:
        raise AnswersError(source, [Problem("(file)", "yaml.malformed", {"problem": _msg.text("file.nested")})]) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of more than 4,300 digits
        raise AnswersError(source, [Problem("(file)", "yaml.malformed", {"problem": _short(exc)})]) from None


# Where libyaml and PyYAML's pure-Python scanner read the same text differently and libyaml accepts it, found by
# running both over the YAML test suite and over random text (tests/test_yaml_libyaml.py): a tab as separation, "?"
# inside a plain scalar in [ ], the "!" tag, a BOM at the start of a later line, a comment right after a block
# scalar's "|" or ">", and one right after a %YAML directive. Text with any of them is read by the pure-Python path
# alone (where libyaml refuses what PyYAML reads, the pure-Python path reads it again: see parse_with_lines).
_LIBYAML_DIFFERS = re.compile("[\t?!\ufeff]|[|>][-+0-9]*#|(?:^|[\r\x85\u2028\u2029])%", re.MULTILINE)


def _compose_and_construct(text: str, loader_class) -> tuple[Any, dict[str, int]]:
    loader = loader_class(text)  # the pure-Python reader refuses special characters here, already
    try:
        node = loader.get_single_node()
        lines = _node_lines(node) if node is not None else {}
        return (loader.construct_document(node) if node is not None else None), lines
    finally:
        loader.dispose()


def parse_text(text: str, source: str) -> Any:
    """YAML (a superset of JSON) or JSON text to plain data, with errors naming the line."""
    return parse_with_lines(text, source)[0]


def _short(exc: Exception) -> str:
    text = str(exc)
    if "integer string conversion" in text:
        return _msg.text("number.too_long")
    return text[:200]


class InputError(Exception):
    """An input cannot be read: missing, unreadable, larger than its limit, or standard input closed."""

    def __init__(self, source: str, reason: str):
        self.source, self.reason = source, reason
        super().__init__(f"{printable(source)}: {reason}")


def read_input(path: str | Path, limit: int) -> bytes:
    """The one reader for every input (answers, batch base and CSV; ``-`` is standard input), bounded before parsing.

    Reads at most ``limit`` + 1 bytes, so that /dev/zero or gigabytes on stdin are refused after ``limit`` bytes
    instead of being read whole; InputError otherwise names the input and the reason.
    """
    import sys

    source = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None or stream.closed:
                raise InputError(source, _msg.text("file.stdin_closed"))
            raw = stream.read(limit + 1)
        else:
            with open(path, "rb") as fh:
                raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(source, _msg.text("file.unreadable", reason=exc.strerror or exc)) from None
    except ValueError:  # a stream closed under us
        raise InputError(source, _msg.text("file.stdin_closed")) from None
    if len(raw) > limit:
        size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
        raise InputError(source, _msg.text("file.too_large", size=size))
    return raw


def load_data(path: str | Path) -> tuple[Any, dict[str, int], str]:
    """An answers-like file (answers, or a batch base) read bounded, decoded and parsed: (data, lines, source)."""
    try:
        raw = read_input(path, MAX_ANSWERS_BYTES)
    except InputError as exc:
        raise AnswersError(exc.source, [("(file)", exc.reason)]) from None
    source = "<stdin>" if str(path) == "-" else str(path)
    return (*_parse_bytes(raw, source), source)


def _parse_bytes(raw_bytes: bytes, source: str) -> tuple[Any, dict[str, int]]:
    if len(raw_bytes) > MAX_ANSWERS_BYTES:
        raise AnswersError(source, [Problem("(file)", "file.too_large", {"size": f"{MAX_ANSWERS_BYTES // 1024} KiB"})])
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersError(source, [Problem("(file)", "file.not_utf8", {"byte": exc.start})]) from None
    return parse_with_lines(text, source)


def load_answers(path: str | Path) -> Answers:
    """Read (bounded) and validate an answers file; ``-`` reads standard input."""
    data, lines, source = load_data(path)
    return validate_answers(data, source, lines)


def answers_from_bytes(raw_bytes: bytes, source: str) -> Answers:
    data, lines = _parse_bytes(raw_bytes, source)
    return validate_answers(data, source, lines)
