"""Reading what Japanese users type: the one parser of answers for the answers file, `init`, `batch` and the web form.

Ground floor: imports only the message catalogue beside it (``contracts.messages``, for the accepted words and the
texts of a refusal). Two jobs:

* **Periods and dates in prose** (``parse_date_ja``, ``parse_period_ja``): the answers model keeps free-text periods
  (「2027年2月15日から同年3月31日まで」) because that is how a period is written in a contract; the facts need real dates
  to check a calendar.
* **One answer as typed** (``read_as(text, kind)``): text to a value of a field's kind, accepting exactly the
  documented lenient forms (``forms`` in ``contracts/messages.yaml``) and refusing everything else with
  ``Unreadable``, which names the value and shows an example of what is accepted:

  ========== ==========================================================================================
  kind       accepted (after NFKC: full-width digits, ，．／－％ read as their ASCII forms)
  ========== ==========================================================================================
  bool       true/false, yes/no, y/n, はい/いいえ, ○/×, あり/なし (``words`` in the catalogue; never 1/0)
  int        24, 1,000 (commas only in groups of three); months/days/years/people/times also take their
             counter word: 24か月, 30日, 5年, 120人/120名, 4回/4期
  yen        500000, 500,000, 500,000円, 50万円, 50万, 500千円, 1億2,000万円, 1.5万円 (a whole number of yen)
  float      12.5; percent also 12.5%, 12.5パーセント (no exponents, no NaN or infinity)
  date       2027-04-01, 2027-4-1, 2027/4/1, 2027.4.1, 2027年4月1日, 令和9年4月1日, 令和元年5月1日, 平成31年4月30日
             (the era's own dates only: 令和 from 2019-05-01)
  choice     the value itself, or one of its Japanese labels (``corporation`` or 会社)
  ========== ==========================================================================================

Only text is read here: a number where a date or yes/no is expected stays the caller's to refuse (never 1 as true,
never 0 as 1970-01-01).
"""

from __future__ import annotations

import datetime as _dt
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}

# One date: 2027年2月15日 / 令和9年2月15日 / 令和元年5月1日 / 2027-02-15 / 2027/2/15 / 同年3月31日 / 同月28日
_DATE = re.compile(
    r"(?:(?P<era>令和|平成|昭和)(?P<ey>元|\d{1,2})年|(?P<y>\d{4})年|(?P<same_y>同年))"
    r"(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<end>末日?))?"
    r"|(?P<same_m>同月)(?P<d2>\d{1,2})日"
    r"|(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})"
)


def _last_day(year: int, month: int) -> int:
    nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - _dt.timedelta(days=1)).day


def _dates(text: str, first_day_for_month: bool = True) -> list[_dt.date]:
    """Every date in the text, in order; 同年/同月 read against the previous date."""
    out: list[_dt.date] = []
    text = text.translate(_FULLWIDTH)
    for n, m in enumerate(_DATE.finditer(text)):
        prev = out[-1] if out else None
        try:
            if m.group("iy"):
                out.append(_dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id"))))
                continue
            if m.group("same_m"):
                if prev is None:
                    return []
                out.append(_dt.date(prev.year, prev.month, int(m.group("d2"))))
                continue
            if m.group("era"):
                year = _ERAS[m.group("era")] + (1 if m.group("ey") == "元" else int(m.group("ey")))
            elif m.group("y"):
                year = int(m.group("y"))
            else:
                if prev is None:
                    return []
                year = prev.year
            month = int(m.group("m"))
            if m.group("d"):
                day = int(m.group("d"))
            elif m.group("end") or not (first_day_for_month and n == 0):
                day = _last_day(year, month)  # 「3月まで」「3月末日」 mean the month's last day
            else:
                day = 1  # 「2024年10月から」 means the month's first day
            out.append(_dt.date(year, month, day))
        except ValueError:
            return []
    return out


def parse_date_ja(text: str) -> _dt.date | None:
    """One date written as 2027年4月1日, 令和9年4月1日, 2027-04-01 or 2027/4/1; None if the text is not one date."""
    found = _dates(text)
    return found[0] if len(found) == 1 else None


def parse_period_ja(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    """(start, end) of a period written 「AからBまで」; (None, None) when it is not two readable dates in order."""
    found = _dates(text)
    if len(found) != 2 or "から" not in text and "～" not in text and "〜" not in text and "-" not in text:
        return None, None
    start, end = found
    if end < start:
        return None, None
    return start, end


# --------------------------------------------------------------------------- one answer as typed

MAX_DIGITS = 16  # a whole number: the largest field (yen, at most 10**13) has 14 digits
KINDS = ("bool", "int", "yen", "months", "days", "years", "people", "times", "float", "percent", "date", "choice", "text")
_ERA_SPANS = {  # first and last day of each era, so that 令和1年4月1日 (still 平成) is not read as a date
    "令和": (_dt.date(2019, 5, 1), _dt.date.max),
    "平成": (_dt.date(1989, 1, 8), _dt.date(2019, 4, 30)),
    "昭和": (_dt.date(1926, 12, 25), _dt.date(1989, 1, 7)),
}


class Unreadable(ValueError):
    """``text`` is not a documented form of ``kind``. ``key`` is the catalogue message, ``params`` its values.

    ``message(lang)`` is the refusal a user reads (the value, what it should be, an example of what is accepted);
    ``problem(path)`` the same as a ``contracts.messages.Problem`` for that field."""

    def __init__(self, kind: str, value: str, key: str = "value.refused", options: tuple = (), labels: dict | None = None,
                 **params):
        self.kind, self.value, self.key, self.options, self.labels, self.params = kind, value, key, options, labels, params
        super().__init__(self.message())

    def _params(self) -> dict:
        from contracts.messages import Deferred, form, shown_value, what

        kind, value, options, labels = self.kind, self.value, self.options, self.labels
        return {
            "value": Deferred(lambda lang: shown_value(value, lang)),
            "what": Deferred(lambda lang: what(kind, lang)),
            "forms": Deferred(lambda lang: form(kind, lang, options=choices_text(options, labels, lang))),
            "options": Deferred(lambda lang: choices_text(options, labels, lang)),
            **self.params,
        }

    def message(self, lang: str | None = None) -> str:
        from contracts.messages import text

        return text(self.key, lang, **{k: (v(lang) if callable(v) else v) for k, v in self._params().items()})

    def problem(self, path: str):
        from contracts.messages import Problem

        return Problem(path, self.key, self._params())


def choices_text(options: tuple, labels: dict | None, lang: str | None = None) -> str:
    """``corporation（会社）、national_university（国立大学法人）…`` — the choices with the label of each."""
    from contracts.messages import language

    lang = lang or language()
    shown = []
    for option in options:
        names = ((labels or {}).get(str(option)) or {}).get(lang) or ((labels or {}).get(str(option)) or {}).get("ja")
        if names:
            shown.append(f"{option}（{names[0]}）" if lang != "en" else f"{option} ({names[0]})")
        else:
            shown.append(str(option))
    return ("、" if lang != "en" else ", ").join(shown)


def normalized(text: str) -> str:
    """NFKC (full-width digits, letters and ，．／－％ to their ASCII forms; half-width katakana to full-width), trimmed."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip()


def _counter_words(kind: str) -> list[str]:
    from contracts.messages import words

    units = words()["units"].get(kind, [])
    return sorted(units, key=len, reverse=True)  # the longest first: か月間 before か月


def read_bool(text: str) -> bool:
    from contracts.messages import words

    value = normalized(text).casefold()
    if value in {w.casefold() for w in words()["true"]}:
        return True
    if value in {w.casefold() for w in words()["false"]}:
        return False
    raise Unreadable("bool", text)


_GROUPED = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_WHOLE = re.compile(rf"^(?P<sign>-?)(?P<digits>{_GROUPED})$")
_YEN = re.compile(
    rf"^(?:(?P<oku>{_GROUPED}(?:\.[0-9]+)?)億)?(?:(?P<man>{_GROUPED}(?:\.[0-9]+)?)万)?"
    rf"(?:(?P<sen>{_GROUPED}(?:\.[0-9]+)?)千)?(?P<rest>{_GROUPED})?$"
)


def _strip_unit(value: str, kind: str) -> str:
    for unit in _counter_words(kind):
        if value.endswith(unit) and len(value) > len(unit):
            return value[: -len(unit)].rstrip()
    return value


def read_int(text: str, kind: str = "int") -> int:
    """A whole number; ``kind`` yen, months, days, years, people or times also takes that kind's counter word, and
    yen the multipliers 億, 万 and 千 (50万円, 500千円)."""
    value = _strip_unit(normalized(text), kind)
    if kind == "yen":
        return _read_yen(text, value)
    m = _WHOLE.match(value)
    if not m:
        raise Unreadable(kind, text)
    digits = m["digits"].replace(",", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise Unreadable(kind, text, "value.too_many_digits", digits=MAX_DIGITS)
    return int(m["sign"] + digits)


def _read_yen(text: str, value: str) -> int:
    from decimal import Decimal

    m = _WHOLE.match(value)
    if m:
        digits = m["digits"].replace(",", "")
        if len(digits.lstrip("0")) > MAX_DIGITS:
            raise Unreadable("yen", text, "value.too_many_digits", digits=MAX_DIGITS)
        return int(m["sign"] + digits)
    m = _YEN.match(value)
    if not value or not m or not any(m.groupdict().values()):
        raise Unreadable("yen", text)
    if sum(len(g.replace(",", "").split(".")[0].lstrip("0")) for g in m.groupdict().values() if g) > MAX_DIGITS:
        raise Unreadable("yen", text, "value.too_many_digits", digits=MAX_DIGITS)
    total = Decimal(0)
    for name, factor in (("oku", 10**8), ("man", 10**4), ("sen", 10**3), ("rest", 1)):
        if m[name]:
            total += Decimal(m[name].replace(",", "")) * factor
    if total != total.to_integral_value():
        raise Unreadable("yen", text, "value.not_whole")
    return int(total)


_DECIMAL = re.compile(rf"^-?{_GROUPED}(?:\.[0-9]{{1,16}})?$")


def read_float(text: str, kind: str = "float") -> float:
    """A decimal number (12.5); ``percent`` also 12.5% and 12.5パーセント. No exponent, NaN or infinity."""
    value = _strip_unit(normalized(text), "percent") if kind == "percent" else normalized(text)
    if not _DECIMAL.match(value) or len(value.replace(",", "").split(".")[0].lstrip("-0")) > MAX_DIGITS:
        raise Unreadable(kind, text)
    return float(value.replace(",", ""))


_DAY_FORMS = (
    re.compile(r"^(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})$"),
    re.compile(r"^(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日$"),
    re.compile(r"^(?P<era>令和|平成|昭和)(?P<ey>元|[0-9]{1,2})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日$"),
)


def read_date(text: str) -> _dt.date:
    """One day: 2027-04-01, 2027/4/1, 2027.4.1, 2027年4月1日, 令和9年4月1日, 令和元年5月1日 (全角 too)."""
    value = re.sub(r"\s+", "", normalized(text))
    for pattern in _DAY_FORMS:
        m = pattern.match(value)
        if not m:
            continue
        groups = m.groupdict()
        if groups.get("era"):
            year = _ERAS[groups["era"]] + (1 if groups["ey"] == "元" else int(groups["ey"]))
        else:
            year = int(groups["y"])
        try:
            day = _dt.date(year, int(m["m"]), int(m["d"]))
        except ValueError:
            raise Unreadable("date", text, "value.no_such_day") from None
        if groups.get("era"):
            first, last = _ERA_SPANS[groups["era"]]
            if not first <= day <= last or groups["ey"] == "0":
                raise Unreadable("date", text, "value.no_such_day")
        return day
    raise Unreadable("date", text)


def read_choice(text: str, options: tuple, labels: dict | None = None):
    """One of ``options``: the value itself, or one of its Japanese labels (``labels``: value -> {"ja": [...],
    "en": [...]}; the Japanese ones are accepted as input, both are shown in a refusal)."""
    value = normalized(text)
    for option in options:
        if str(option) == value:
            return option
    matches = []
    for option in options:
        names = ((labels or {}).get(str(option)) or {}).get("ja") or []
        if value and any(normalized(n) == value for n in names):
            matches.append(option)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Unreadable("choice", text, "value.choice.ambiguous", options=tuple(matches), labels=labels)
    raise Unreadable("choice", text, "value.choice", options=options, labels=labels)


def read_as(text: str, kind: str, options: tuple = (), labels: dict | None = None):
    """Text typed for a field of ``kind`` (one of ``KINDS``) -> its value; ``Unreadable`` otherwise. ``text`` is kept
    as written (trimmed): full-width characters in names are deliberate."""
    if kind == "bool":
        return read_bool(text)
    if kind in ("int", "yen", "months", "days", "years", "people", "times"):
        return read_int(text, kind)
    if kind in ("float", "percent"):
        return read_float(text, kind)
    if kind == "date":
        return read_date(text)
    if kind == "choice":
        return read_choice(text, options, labels)
    return text.strip()
