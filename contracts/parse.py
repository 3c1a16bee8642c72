"""Reading what Japanese users type: dates in the forms an office writes them.

Ground floor: imports nothing of ours. The answers model keeps free-text periods (「2027年2月15日から同年3月31日まで」)
because that is how a period is written in a contract; the facts need real dates to check a calendar.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

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


def parse_date_ja(text: str) -> Optional[_dt.date]:
    """One date written as 2027年4月1日, 令和9年4月1日, 2027-04-01 or 2027/4/1; None if the text is not one date."""
    found = _dates(text)
    return found[0] if len(found) == 1 else None


def parse_period_ja(text: str) -> tuple[Optional[_dt.date], Optional[_dt.date]]:
    """(start, end) of a period written 「AからBまで」; (None, None) when it is not two readable dates in order."""
    found = _dates(text)
    if len(found) != 2 or "から" not in text and "～" not in text and "〜" not in text and "-" not in text:
        return None, None
    start, end = found
    if end < start:
        return None, None
    return start, end
