"""Saved deals: an embedded SQLite database holding each deal, the answers being edited, and every saved version.

One file (``keiyaku.sqlite3``) in the data folder: ``--data DIR``, else ``$XDG_DATA_HOME/keiyaku``, else
``~/.local/share/keiyaku``. The folder is created private (0700) and the file 0600.

A deal has
- a *draft*: the form text being edited, field path -> text (``contracts.questions``), kept as typed, also when it is
  not valid yet, so that nothing is lost on a reload; every change bumps ``draft_rev``;
- *versions* 1, 2, 3 …: validated answers (the data of an answers file, JSON), each with who saved it, when, and a
  note. A version is never changed or deleted.

Two writers never overwrite each other silently: every change names the draft revision (and, to save a version, the
latest version number) it was made from, and a change made from an older one is refused with ``Stale``, changing
nothing. Writes run in one ``BEGIN IMMEDIATE`` transaction each.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "keiyaku.sqlite3"
MAX_NOTE = 500  # characters in a version's note
MAX_AUTHOR = 60  # characters in the name of who saved it
MAX_QUERY = 100  # characters in a search

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deals (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    model TEXT,
    search TEXT NOT NULL DEFAULT '',
    head INTEGER NOT NULL DEFAULT 0,
    draft TEXT NOT NULL,
    draft_rev INTEGER NOT NULL DEFAULT 1,
    preview TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    deal_id INTEGER NOT NULL REFERENCES deals(id),
    number INTEGER NOT NULL,
    answers TEXT NOT NULL,
    author TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (deal_id, number)
);
"""


class NotFound(LookupError):
    pass


class Stale(Exception):
    """A change made from an older state than the stored one: nothing was changed.

    ``what`` is ``draft`` (the answers were changed elsewhere since) or ``version`` (a newer version was saved)."""

    def __init__(self, what: str, current: int):
        super().__init__(f"stale {what}: now {current}")
        self.what = what
        self.current = current


@dataclass(frozen=True)
class Deal:
    id: int
    title: str
    model: str | None
    head: int  # latest saved version, 0 before the first
    draft: dict  # field path -> form text
    draft_rev: int
    preview: dict | None  # the last answers data that validated (for the preview), or None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Version:
    deal_id: int
    number: int
    answers: dict  # the data of an answers file (JSON types: dates as YYYY-MM-DD)
    author: str
    note: str
    created_at: str


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/keiyaku``, else ``~/.local/share/keiyaku``."""
    base = os.environ.get("XDG_DATA_HOME")
    if base and Path(base).is_absolute():
        return Path(base) / "keiyaku"
    return Path.home() / ".local" / "share" / "keiyaku"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).astimezone().replace(microsecond=0).isoformat()


def describe(data: dict) -> tuple[str, str]:
    """(title, search text) of a deal from its answers data: the programme, the data and the parties."""

    def at(*path):
        node: Any = data
        for p in path:
            node = node.get(p) if isinstance(node, dict) else None
        return node if isinstance(node, str) else ""

    title = at("deal", "program_name") or at("data", "title") or at("parties", "recipient", "name")
    parts = [title, at("parties", "provider", "name"), at("parties", "recipient", "name"), at("data", "title"),
             at("deal", "program_name"), at("deal", "purpose"), at("model")]
    one_line = lambda s: " ".join(s.split())  # noqa: E731 - a title is shown on one line
    return one_line(title)[:200], one_line(" ".join(p for p in parts if p))[:2000]


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path | str | None = None) -> Store:
        folder = Path(data_dir) if data_dir else default_data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / DB_NAME
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        return cls(path)

    # ----------------------------------------------------------- connections

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        return db

    class _Tx:
        def __init__(self, store: Store):
            self.db = store._connect()

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, exc, tb):
            try:
                self.db.execute("ROLLBACK" if kind else "COMMIT")
            finally:
                self.db.close()
            return False

    def _write(self) -> _Tx:
        return Store._Tx(self)

    def _read(self) -> Iterator[sqlite3.Connection]:
        return _Reader(self._connect())

    # ----------------------------------------------------------- meta

    def secret(self) -> bytes:
        """A random key made once per data folder (signs the forms' CSRF tokens, so they survive a restart)."""
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            if row:
                return bytes.fromhex(row["value"])
            key = secrets.token_bytes(32)
            db.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", (key.hex(),))
            return key

    # ----------------------------------------------------------- deals

    def create(self, draft: dict, model: str | None, title: str = "", search: str = "",
               version: dict | None = None, author: str = "", note: str = "") -> Deal:
        """A new deal with its draft; with ``version`` (validated answers data) also its version 1."""
        now = _now()
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO deals (created_at, updated_at, title, model, search, head, draft, draft_rev, preview) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (now, now, title, model, search, 1 if version is not None else 0, _dump(draft),
                 _dump(version) if version is not None else None),
            )
            deal_id = cur.lastrowid
            if version is not None:
                db.execute("INSERT INTO versions (deal_id, number, answers, author, note, created_at) VALUES (?, 1, ?, ?, ?, ?)",
                           (deal_id, _dump(version), author[:MAX_AUTHOR], note[:MAX_NOTE], now))
        return self.get(deal_id)

    def get(self, deal_id: int) -> Deal:
        with self._read() as db:
            row = db.execute("SELECT * FROM deals WHERE id = ?", (int(deal_id),)).fetchone()
        if row is None:
            raise NotFound(deal_id)
        return _deal(row)

    def deals(self, query: str = "", limit: int = 200) -> list[Deal]:
        """Deals, the most recently changed first; ``query`` matches the title, parties, data and purpose."""
        query = " ".join(query.split())[:MAX_QUERY]
        sql = "SELECT * FROM deals"
        args: list[Any] = []
        words = query.split()
        if words:
            sql += " WHERE " + " AND ".join("search LIKE ? ESCAPE '\\'" for _ in words)
            args += ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        sql += " ORDER BY updated_at DESC, id DESC LIMIT ?"
        args.append(int(limit))
        with self._read() as db:
            return [_deal(r) for r in db.execute(sql, args).fetchall()]

    def update_draft(self, deal_id: int, draft: dict, expected_rev: int, *, model: str | None, title: str,
                     search: str, preview: dict | None = None) -> int:
        """Replace the draft if it is still at ``expected_rev``; the new revision. ``preview``: the answers data when
        they validate (else the last valid ones stay)."""
        with self._write() as db:
            row = db.execute("SELECT draft_rev FROM deals WHERE id = ?", (int(deal_id),)).fetchone()
            if row is None:
                raise NotFound(deal_id)
            if row["draft_rev"] != expected_rev:
                raise Stale("draft", row["draft_rev"])
            rev = expected_rev + 1
            db.execute(
                "UPDATE deals SET draft = ?, draft_rev = ?, model = ?, title = ?, search = ?, updated_at = ?, "
                "preview = COALESCE(?, preview) WHERE id = ?",
                (_dump(draft), rev, model, title, search, _now(), _dump(preview) if preview is not None else None,
                 int(deal_id)),
            )
            return rev

    def save_version(self, deal_id: int, answers: dict, *, author: str, note: str, expected_head: int,
                     expected_rev: int, draft: dict, model: str | None, title: str, search: str) -> tuple[int, int]:
        """Save ``answers`` (validated data) as the next version, and ``draft`` as the draft, if nothing changed since
        (``expected_head`` versions, draft at ``expected_rev``); (version number, draft revision)."""
        with self._write() as db:
            row = db.execute("SELECT head, draft_rev FROM deals WHERE id = ?", (int(deal_id),)).fetchone()
            if row is None:
                raise NotFound(deal_id)
            if row["head"] != expected_head:
                raise Stale("version", row["head"])
            if row["draft_rev"] != expected_rev:
                raise Stale("draft", row["draft_rev"])
            number = expected_head + 1
            rev = expected_rev + 1
            now = _now()
            db.execute("INSERT INTO versions (deal_id, number, answers, author, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (int(deal_id), number, _dump(answers), author[:MAX_AUTHOR], note[:MAX_NOTE], now))
            db.execute(
                "UPDATE deals SET head = ?, draft = ?, draft_rev = ?, model = ?, title = ?, search = ?, updated_at = ?, "
                "preview = ? WHERE id = ?",
                (number, _dump(draft), rev, model, title, search, now, _dump(answers), int(deal_id)),
            )
            return number, rev

    # ----------------------------------------------------------- versions

    def versions(self, deal_id: int) -> list[Version]:
        with self._read() as db:
            rows = db.execute("SELECT * FROM versions WHERE deal_id = ? ORDER BY number DESC", (int(deal_id),)).fetchall()
        return [_version(r) for r in rows]

    def version(self, deal_id: int, number: int) -> Version:
        with self._read() as db:
            row = db.execute("SELECT * FROM versions WHERE deal_id = ? AND number = ?", (int(deal_id), int(number))).fetchone()
        if row is None:
            raise NotFound((deal_id, number))
        return _version(row)


class _Reader:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc):
        self.db.close()
        return False


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _deal(row: sqlite3.Row) -> Deal:
    return Deal(id=row["id"], title=row["title"], model=row["model"], head=row["head"], draft=json.loads(row["draft"]),
                draft_rev=row["draft_rev"], preview=json.loads(row["preview"]) if row["preview"] else None,
                created_at=row["created_at"], updated_at=row["updated_at"])


def _version(row: sqlite3.Row) -> Version:
    return Version(deal_id=row["deal_id"], number=row["number"], answers=json.loads(row["answers"]),
                   author=row["author"], note=row["note"], created_at=row["created_at"])


# --------------------------------------------------------------------------- answers files in and out


def answers_data(answers) -> dict:
    """Validated answers -> the data of an answers file as stored (JSON types; only what was given, no defaults)."""
    return answers.model_dump(mode="json", exclude_unset=True)


def answers_yaml(data: dict, heading: str = "") -> bytes:
    """A saved version as an answers file (YAML, the model's field order), read back and compared before it is given
    out: ``keiyaku generate`` on it drafts exactly what the version drafts."""
    import yaml

    from contracts.answers import SCHEMA_VERSION, answers_from_bytes, validate_answers

    answers = validate_answers(data, "version")
    plain = {"schema_version": SCHEMA_VERSION, **answers.model_dump(mode="python", exclude_unset=True)}
    comment = " ".join(heading.split())  # one line: a line break would end the comment and start YAML
    lines = ["# yaml-language-server: $schema=answers.schema.json"]
    if comment:
        lines.append("# " + comment)
    lines.append("# 確認: keiyaku validate このファイル / 作成: keiyaku generate このファイル --out 出力先")
    body = yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**6)
    text = "\n".join(lines) + "\n" + body
    back = answers_from_bytes(text.encode("utf-8"), "export.yaml")
    if back != answers:
        raise ValueError("internal error: the exported answers file would read back differently")
    return text.encode("utf-8")


def read_answers_file(raw: bytes, name: str):
    """An uploaded answers file -> validated answers with a concrete model (``model: auto`` resolved as ``keiyaku
    generate`` would). AnswersError names the problems."""
    from contracts.answers import answers_from_bytes
    from contracts.recommend import resolve_model

    answers = answers_from_bytes(raw, name)
    answers, _ = resolve_model(answers)
    return answers
