"""The message catalogue: what keiyaku tells a user about their input, in Japanese (default) or English.

Ground floor: imports nothing of ours. The texts live in ``contracts/messages.yaml`` (messages, the documented
input forms, the accepted yes/no and counter words, and the label of every field of the answers file); this module
reads them and says which language is in use. The API, for every front end (command line, browser):

``text(key, lang=None, **params)``
    one message, its ``{name}`` placeholders filled; ``lang`` defaults to the language in use.
``field_label(path, lang=None)``
    the label of a field by dotted path (``parties.recipient.name`` → 相手方の正式名称; list indexes allowed,
    ``deal.hackathon.prizes[0].rank`` → 賞の名称（1件目）); None for what is not a field.
``path_for_label(text)``
    the dotted path a label stands for (CSV headers may be labels), or None.
``Problem(path, key, params)``
    one problem with a field, rendered lazily in the language in use (``message()``, ``line_text()``).
``language()`` / ``set_language(lang)`` / ``using(lang)``
    the language in use for this context (a ``contextvars`` variable, ``ja`` unless set); ``from_environment()``
    reads ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` as the command line does when ``--lang`` is not given.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("ja", "en")
CATALOGUE = Path(__file__).resolve().parent / "messages.yaml"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("keiyaku_language", default="ja")


# --------------------------------------------------------------------------- the language in use


def language() -> str:
    return _language.get()


def set_language(lang: str) -> contextvars.Token:
    """Use ``lang`` (ja or en) from now on in this context; returns the token to ``reset`` it."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (ja or en)")
    return _language.set(lang)


def reset_language(token: contextvars.Token) -> None:
    try:
        _language.reset(token)
    except ValueError:  # made in another context (a thread or a copied context): nothing of ours to undo here
        pass


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """``with using("en"): ...`` — messages in ``lang`` inside the block (None: unchanged)."""
    if lang is None:
        yield language()
        return
    token = set_language(lang)
    try:
        yield lang
    finally:
        _language.reset(token)


def from_environment(environ: Mapping[str, str]) -> str:
    """ja or en from the locale variables, in POSIX order (LC_ALL, LC_MESSAGES, LANG): English only when the first
    one set says English (``en_US.UTF-8``); anything else (ja_JP, C, POSIX, unset) is Japanese."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "ja"
    return "ja"


# --------------------------------------------------------------------------- the catalogue


@lru_cache(maxsize=1)
def catalogue() -> dict:
    import yaml

    # libyaml: the pure-Python loader took ~0.1 s of every command for this one file.
    data = yaml.load(CATALOGUE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


def _pick(entry: Mapping[str, str], lang: str | None) -> str:
    lang = lang or language()
    return entry.get(lang) or entry["ja"]


class _Missing(dict):
    def __missing__(self, key: str) -> str:  # a placeholder without a value stays visible, never a KeyError
        return "{" + key + "}"


def text(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` (default: the language in use) with its placeholders filled (any names,
    ``key`` and ``lang`` included)."""
    entry = catalogue()["messages"][key]
    return _pick(entry, lang).format_map(_Missing(params))


def form(kind: str, lang: str | None = None, /, **params: Any) -> str:
    """How an answer of ``kind`` (bool, int, yen, date, …) may be written: the example shown with a refusal."""
    return _pick(catalogue()["forms"][kind], lang).format_map(_Missing(params))


def what(kind: str, lang: str | None = None) -> str:
    """What a kind of answer is called in a message (整数, 日付, はい・いいえ …)."""
    return _pick(catalogue()["what"][kind], lang)


def unit(kind: str, lang: str | None = None) -> str:
    """The unit shown after a limit of a kind of number (円, 人, か月 …; "" for a plain number)."""
    entry = catalogue().get("unit", {}).get(kind)
    return _pick(entry, lang) if entry else ""


def words() -> dict:
    """The accepted yes/no words and counter words (``words`` in the catalogue)."""
    return catalogue()["words"]


# --------------------------------------------------------------------------- field labels

_INDEX = re.compile(r"\[(\d+)\]|\.(\d+)(?=\.|$)")


def generic(path: str) -> str:
    """A dotted path without list indexes: ``deal.hackathon.prizes[0].rank`` → ``deal.hackathon.prizes.rank``."""
    return _INDEX.sub("", path)


def labels(lang: str | None = None) -> dict[str, str]:
    """Every field's label, by generic path."""
    return {p: _pick(entry, lang) for p, entry in catalogue()["fields"].items()}


def field_label(path: str, lang: str | None = None) -> str | None:
    """The label of the field at ``path``; the entry number is added for a list entry, the key for a mapping
    (``deal.choices.common_liability``). None for what is not a field (``(file)``, ``line 3``)."""
    fields = catalogue()["fields"]
    plain = generic(path)
    if plain in fields:
        label = _pick(fields[plain], lang)
        indexes = [m.group(1) or m.group(2) for m in _INDEX.finditer(path)]
        if indexes:
            label = text("entry.nth", lang, label=label, n=int(indexes[-1]) + 1)
        return label
    head, _, key = plain.rpartition(".")
    if head in fields and head.endswith("choices"):
        return text("key.of", lang, label=_pick(fields[head], lang), key=key)
    return None


@lru_cache(maxsize=1)
def _by_label() -> dict[str, str]:
    import unicodedata

    out: dict[str, str] = {}
    for path, entry in catalogue()["fields"].items():
        for lang in LANGUAGES:
            out.setdefault(unicodedata.normalize("NFKC", entry[lang]).strip().casefold(), path)
    return out


_NTH = re.compile(r"^(?P<label>.+?)\s*[\(（]\s*(?P<n>[0-9]+)\s*件目\s*[\)）]$|^(?P<label2>.+?)\s*\(entry (?P<n2>[0-9]+)\)$")


def path_for_label(label: str) -> str | None:
    """The dotted path a field label stands for (Japanese or English; full-width and half-width alike), or None.

    ``相手方の正式名称`` → ``parties.recipient.name``; an entry of a list of sections takes its number:
    ``賞の名称（1件目）`` → ``deal.hackathon.prizes.0.rank``."""
    import unicodedata

    text_ = unicodedata.normalize("NFKC", label).strip()
    found = _by_label().get(text_.casefold())
    if found:
        return found
    m = _NTH.match(text_)
    if m:
        base = _by_label().get((m.group("label") or m.group("label2")).strip().casefold())
        n = int(m.group("n") or m.group("n2"))
        if base and n >= 1 and "." in base:
            head, _, last = base.rpartition(".")
            return f"{head}.{n - 1}.{last}"
    return None


def closest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The candidate closest to a mistyped ``word`` (difflib), or None when nothing is close."""
    import difflib  # only when a word was mistyped: every command imports this module

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


# --------------------------------------------------------------------------- problems


def shown_value(value: Any, lang: str | None = None, limit: int = 40) -> str:
    """A value as a message quotes it: text in 「」 (at most ``limit`` characters, controls escaped), numbers and
    dates as written, lists and mappings by what they are."""
    import datetime as dt

    if value is None:
        return text("value.none", lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        shown = repr(value)
        return shown if len(shown) <= limit else shown[:limit] + "…"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return text("value.a_list", lang)
    if isinstance(value, dict):
        return text("value.a_mapping", lang)
    raw = str(value)
    raw = raw if len(raw) <= limit else raw[:limit] + "…"
    return text("value.quoted", lang, text=_escaped(raw))


def _escaped(raw: str) -> str:
    import unicodedata

    out = []
    for ch in raw:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


_BILINGUAL = re.compile(r"^(?P<ja>.*[^\x00-\x7f].*?)\s*\((?P<en>[\x00-\x7f]+)\)\s*$", re.S)


def one_language(message: str, lang: str | None = None) -> str:
    """A message written elsewhere as 「日本語 (English)」 shown in one language; other text unchanged."""
    m = _BILINGUAL.match(message)
    if not m:
        return message
    return m["en"].strip() if (lang or language()) == "en" else m["ja"].strip()


@dataclass(frozen=True)
class Problem:
    """One problem with the answers: the field's dotted path, a catalogue key and its parameters.

    ``key`` None means a message already written (``params["text"]``, from code that does not use the catalogue
    yet); a 「日本語 (English)」 text is shown in the language in use. ``line`` is the line of the file where it
    is known. Plain data, so it can cross processes (batch workers) and be rendered in the parent's language.
    """

    path: str
    key: str | None
    params: dict = field(default_factory=dict)
    line: int | None = None

    @staticmethod
    def plain(path: str, message: str, line: int | None = None) -> Problem:
        return Problem(path, None, {"text": message}, line)

    def message(self, lang: str | None = None) -> str:
        if self.key is None:
            return one_language(str(self.params.get("text", "")), lang)
        params = {k: (v(lang) if callable(v) else v) for k, v in self.params.items()}
        return text(self.key, lang, **params)

    def where(self, lang: str | None = None) -> tuple[str | None, str]:
        """(label, path) as a message names the field: the label is None for what is not a field (``(file)``)."""
        label = field_label(self.path, lang)
        path = {"(file)": text("where.file", lang), "(top level)": text("where.top", lang)}.get(self.path, self.path)
        return label, path

    def line_text(self, lang: str | None = None, line: int | None = None) -> str:
        """One line of an error report: label, path, message and the line of the file."""
        label, path = self.where(lang)
        key = "problem.field" if label else "problem.plain"
        out = text(key, lang, label=label, path=path, message=self.message(lang))
        line = line if line is not None else self.line
        if line:
            out += text("where.line", lang, line=line)
        return out


class Deferred:
    """A parameter rendered in the language of the message (a value label, a list of choices)."""

    def __init__(self, render):
        self.render = render

    def __call__(self, lang: str | None) -> str:
        return self.render(lang)

    def __reduce__(self):  # rendered once (in the language in use) when sent to another process
        return (str, (self.render(None),))
