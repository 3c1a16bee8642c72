"""Pages: the template environment and what each page shows, computed by the core (contracts) and laid out here.

No rule of the deal is decided here: the questions and their relevance come from ``contracts.questions``, the
drafts and findings from ``contracts.generate.prepare``, the meaning checks from ``contracts.consistency``, the
recommendation from ``contracts.recommend``. Every value reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from contracts import questions as Q

HERE = Path(__file__).resolve().parent
SEVERITIES = ("高", "中", "低")
KEEP = ("deal.goals", "deal.constraints")  # asked on the start page, kept with the answers (the packet compares models)

_env = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(("html",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def fid(path: str) -> str:
    """The element id of a field: f-parties-provider-name, f-deal-hackathon-prizes-0-rank."""
    return "f-" + re.sub(r"[^a-z0-9_]+", "-", path).strip("-")


_env.globals["fid"] = fid
_env.globals["SEVERITIES"] = SEVERITIES


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)


# --------------------------------------------------------------------------- labels (contracts.vocabulary)


def model_labels() -> dict[str, str]:
    """Each model's label (ハッカソン型 …), as the answers model's ``model`` field explains its values."""
    from contracts import vocabulary

    model = vocabulary.entry("model")
    return {m: model.value_label(m, "ja") for m in vocabulary.MODEL_IDS}


def label_for(path: str) -> str:
    """A field's label from the catalogue (相手方の正式名称), else its question; the path when it is not a field."""
    try:
        from contracts.messages import field_label

        label = field_label(path, "ja")
        if label:
            return label
    except ImportError:  # pragma: no cover - the catalogue ships with the core
        pass
    try:
        qs = Q.ask_at((path,), {})
    except Exception:  # noqa: BLE001 - "(top level)", "deal.choices.x": show the path
        return path
    return qs[0].label if qs else path


# --------------------------------------------------------------------------- the preview


@dataclass
class Preview:
    """What the preview pane shows."""

    state: str  # ok | stale (the last answers that were valid) | empty
    documents: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    checks: list = field(default_factory=list)  # consistency problems
    notice: str = ""
    where: dict = field(default_factory=dict)  # clause id -> [(anchor, "データ提供契約書 第12条")]

    def by_severity(self, severity: str) -> list:
        return [f for f in self.findings if f.severity == severity]

    def touching(self, clause_id: str) -> list:
        return [f for f in self.findings if clause_id in f.clauses]


class Engine:
    """The core's drafting, remembered for answers already seen (a pure function of the answers)."""

    def __init__(self, size: int = 24):
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def _memo(self, key: str, make):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return value

    def prepare(self, answers):
        """(resolved answers, documents, findings, consistency problems); AnswersError for a deal that may not be
        drafted as answered."""
        from contracts.consistency import check_set
        from contracts.generate import prepare
        from contracts.library import default_library

        key = "prepare:" + _key(answers)

        def make():
            resolved, documents, found, _ = prepare(answers)
            return resolved, documents, found, check_set(resolved, documents, default_library())

        return self._memo(key, make)

    def files(self, answers, with_pdf: bool) -> dict[str, bytes]:
        from contracts.generate import build_set

        formats = ("docx", "pdf") if with_pdf else ("docx",)
        key = f"files:{formats}:" + _key(answers)
        return self._memo(key, lambda: dict(build_set(answers, formats=formats).files))

    def packet(self, answers) -> bytes:
        from contracts.generate import BOARD_PACKET, build_set

        key = "packet:" + _key(answers)
        return self._memo(key, lambda: build_set(answers, formats=("pdf",)).files[BOARD_PACKET])


def _key(answers) -> str:
    data = answers.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def preview_of(engine: Engine, answers, notice: str = "", state: str = "ok") -> tuple[Preview, list[tuple[str, str]]]:
    """The preview of valid answers, and the problems ``prepare`` found (a deal that may not be drafted)."""
    from contracts.answers import AnswersError
    from contracts.assembly import AssemblyError
    from contracts.library import LibraryError

    try:
        _, documents, found, checks = engine.prepare(answers)
    except AnswersError as exc:
        return Preview("empty"), [(p, Q.message_ja(m)) for p, m in exc.problems]
    except (AssemblyError, LibraryError) as exc:
        return Preview("empty", notice=f"文書を組み立てられませんでした（{exc}）。"), []
    where: dict[str, list] = {}
    for i, d in enumerate(documents, start=1):
        for a in d.articles:
            where.setdefault(a.clause_id, []).append((f"doc-{i}-{a.number}", f"{d.title} {a.label}"))
    return Preview(state, documents, found, checks, notice, where), []


# --------------------------------------------------------------------------- the editor


@dataclass
class Editor:
    """Everything the answers form of one section shows."""

    section: Q.Section
    sections: list
    basics: tuple
    questions: tuple
    raw: dict
    errors: dict  # field or group path shown in this form -> message
    missing: set  # the paths among them whose only problem is that nothing was entered yet (shown once touched)
    elsewhere: list  # (section key, section title, path, label, message) for problems not in this form
    counts: dict  # section key -> number of problems
    sig: str  # which fields the form shows: a change means the form must be drawn again

    def value(self, path: str, default: str | None = None):
        v = self.raw.get(path)
        if v is None:
            return default if default is not None else ""
        return v


def editor_of(raw: dict, built: Q.Built, section_key: str, extra_problems: list) -> Editor:
    model = built.data.get("model") if isinstance(built.data.get("model"), str) else None
    secs = Q.sections(model)
    section = next((s for s in secs if s.key == section_key), secs[0])
    rows = lambda path: Q.row_count(raw, path)  # noqa: E731
    basics = Q.form(Q.BASICS, built.data, rows)
    qs = Q.form(section, built.data, rows)
    slots: set[str] = set()

    def collect(items):
        for q in items:
            slots.add(q.path)
            if q.kind == "group":
                collect(q.children)
            elif q.kind == "entries":
                for row in q.rows:
                    collect(row)

    collect(basics)
    collect(qs)
    errors: dict[str, str] = {}
    only_missing: dict[str, bool] = {}
    elsewhere = []
    counts: dict[str, int] = {s.key: 0 for s in secs}
    counts["basics"] = 0
    for path, message in list(built.problems) + list(extra_problems):
        home = Q.section_of(path, model)
        key = home.key if home else "basics"
        counts[key] = counts.get(key, 0) + 1
        slot = path if path in slots else re.sub(r"\[\d+\]$", "", path)
        if slot in slots:
            errors[slot] = f"{errors[slot]} / {message}" if slot in errors else message
            only_missing[slot] = only_missing.get(slot, True) and path in built.missing
        else:
            title = home.title if home else "回答全体"
            elsewhere.append((key, title, path, label_for(path), message))
    sig_source = "|".join(sorted(slots)) + f"#{section.key}"
    sig = hashlib.sha1(sig_source.encode()).hexdigest()[:16]
    missing = {s for s, only in only_missing.items() if only}
    return Editor(section, secs, basics, qs, raw, errors, missing, elsewhere, counts, sig)


def next_section(editor: Editor):
    keys = [s.key for s in editor.sections]
    i = keys.index(editor.section.key)
    return editor.sections[i + 1] if i + 1 < len(keys) else None
