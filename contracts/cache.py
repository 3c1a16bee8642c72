"""A cache of the shipped library across processes: validated, with every text's template compiled.

Every one-shot command used to parse ~1.6 MB of YAML, validate it and compile the ≈500 Jinja texts of its model
before drafting a word: most of its time. The result depends only on the library files and on the code that reads them, so it is
stored once in the user's cache folder (``$KEIYAKU_CACHE_DIR``, else ``$XDG_CACHE_HOME/keiyaku``, else
``~/.cache/keiyaku``; an empty ``KEIYAKU_CACHE_DIR`` turns the cache off) and reused while nothing changed.

Never a wrong draft: the file name carries a key hashing the library files, keiyaku's own source files (each by its
size, inode and modification and change times, as Python judges its own bytecode cache) and the versions of Python,
Jinja2, pydantic and PyYAML; the file carries its key and a CRC-32 of its content. A file that
is missing, stale, corrupt, not ours (other owner, readable or writable by others) or unreadable is ignored and
rebuilt. Only the classes the library is made of may be unpickled. The folder is created 0700, the file 0600,
written to a temporary name and renamed, so concurrent processes never read half a file.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import stat
import sys
import tempfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = b"keiyaku-library-cache 3\n"
_PACKAGE = Path(__file__).resolve().parent
_ALLOWED_MODULES = ("contracts.cache", "contracts.library", "contracts.risk", "contracts.sources")
_ALLOWED_OTHER = {("datetime", "date"), ("builtins", "set"), ("builtins", "frozenset")}


@dataclass
class Bundle:
    """What one build of the library produces: the parsed files and each text's compiled code."""

    library_files: dict[str, Any]  # file name -> contracts.library.LibraryFile
    risk_file: Any  # contracts.risk.RiskFile
    registry: Any  # contracts.sources.Registry
    # template source -> marshalled code object, for the clause texts (read back as StoredCodes: one at a time)
    library_codes: Any
    rule_codes: dict[str, bytes]  # the same for the risk rules' messages and actions
    read_by: dict[str, frozenset[str]]  # model id -> the answers paths its documents read (contracts.crosscheck)


def folder() -> Path | None:
    """The cache folder, or None when the user turned the cache off."""
    configured = os.environ.get("KEIYAKU_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder to find: work without the cache
            return None
    return Path(base) / "keiyaku"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """What every cached object depends on besides its own input: the versions and keiyaku's own source files.

    Read once per process (the library cache and the template's code store both need it)."""
    import jinja2
    import pydantic
    import yaml

    from contracts import __version__

    h = hashlib.sha256(FORMAT)
    for part in (__version__, sys.version, jinja2.__version__, pydantic.VERSION, yaml.__version__):
        h.update(part.encode() + b"\0")
    for path in sorted(_PACKAGE.rglob("*.py")):  # the code that shapes, compiles and reads the cached objects
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + _signature(path))
    return h.hexdigest()


def _signature(path: Path) -> bytes:
    """A file as the key sees it: its size, its inode and its modification and change times, as Python's own bytecode
    cache judges a source file (by size and time, not by reading it: 0.3 ms for the ~50 files instead of 7 ms). Any
    write changes the change time, which no tool can set back; copying or checking out a file gives it a new one."""
    st = path.stat()
    return f"{st.st_size}:{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}\0".encode()


def key(directory: Path) -> str:
    """A hash of everything the cached library depends on: the code, the versions and the library files."""
    h = hashlib.sha256(_code_digest().encode())
    for path in sorted(Path(directory).glob("*.yaml")):
        h.update(path.name.encode() + b"\0" + _signature(path))
    return h.hexdigest()


def _file(name: str, digest: str) -> Path | None:
    where = folder()
    return None if where is None else where / f"{name}-{digest[:32]}.pickle"


class _LibraryUnpickler(pickle.Unpickler):
    """Unpickles the library's own classes and nothing else."""

    def find_class(self, module: str, name: str):
        if module in _ALLOWED_MODULES or (module, name) in _ALLOWED_OTHER:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the library")


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain containers, strings and bytes only (no class at all)."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")


def frame(digest: str, payload: bytes, tail: bytes = b"") -> bytes:
    """A cache file: the format, the key, then ``<checksum of the payload> <payload length> <tail length>``, a blank
    line, the pickled payload and a tail the payload indexes (the library's compiled texts, read one by one)."""
    sizes = f"{checksum(payload)} {len(payload)} {len(tail)}".encode()
    return FORMAT + digest.encode() + b"\n" + sizes + b"\n\n" + payload + tail


def _open(path: Path | None, digest: str) -> tuple[int, bytes, int] | None:
    """(an open descriptor, the checked payload, where the tail starts) of a current, private and whole file, else
    None. The caller closes the descriptor."""
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)  # the file opened, not the name: nothing can be swapped in between
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            raise ValueError("not private")
        head = os.pread(fd, 512, 0)
        end = head.find(b"\n\n")
        lines = head[:end].split(b"\n")
        if end < 0 or len(lines) != 3 or lines[0] + b"\n" != FORMAT or lines[1].decode() != digest:
            raise ValueError("another format or key")
        crc, payload_size, tail_size = lines[2].decode().split(" ")
        start = end + 2
        if st.st_size != start + int(payload_size) + int(tail_size):
            raise ValueError("truncated or extended")
        payload = os.pread(fd, int(payload_size), start)
        if len(payload) != int(payload_size) or checksum(payload) != crc:
            raise ValueError("damaged")
        return fd, payload, start + int(payload_size)
    except (OSError, ValueError, UnicodeDecodeError):
        os.close(fd)
        return None


def _load(path: Path | None, digest: str, unpickler: type[pickle.Unpickler]) -> Any:
    """The object stored at ``path`` for this key, or None (absent, stale, corrupt or foreign)."""
    opened = _open(path, digest)
    if opened is None:
        return None
    fd, payload, _ = opened
    os.close(fd)
    return _unpickle(payload, unpickler)


def _unpickle(payload: bytes, unpickler: type[pickle.Unpickler]) -> Any:
    try:
        return unpickler(io.BytesIO(payload)).load()
    except (ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError):
        return None


def checksum(payload: bytes | memoryview) -> str:
    """Detects a truncated or damaged file. CRC-32, not a cryptographic hash: the file is the user's own and private
    (a foreign or shared one is never read) and the unpickler admits only library classes, so the check guards
    against accidents, not forgery; it costs 1 ms on the 2 MB payload where SHA-256 cost 4."""
    return f"{zlib.crc32(payload):08x}"


def _store(path: Path | None, digest: str, obj: Any, tail: bytes = b"") -> None:
    """Write the object privately and atomically, and remove the files of older keys; never fails."""
    if path is None:
        return
    data = frame(digest, pickle.dumps(obj, protocol=5), tail)
    name = path.name.rsplit("-", 1)[0]
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in path.parent.glob(f"{name}-*.pickle"):  # earlier versions of the library or of keiyaku
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return


def code_key(source: str) -> bytes:
    return hashlib.blake2b(source.encode("utf-8"), digest_size=16).digest()


class StoredCodes:
    """The library's compiled texts, left in the cache file and read one at a time when a text is first rendered.

    A process renders the ≈500 texts of one model out of ≈2,600: reading, checking and unpickling all of them (4.6 MB)
    was a quarter of loading the library. Each entry carries its own checksum; one that does not match (the file
    damaged after it was opened) is not used, and the text is compiled from its source instead. The descriptor stays
    open for the process (a newer file renamed over this one does not change what it reads)."""

    def __init__(self, fd: int, start: int, index: dict[bytes, tuple[int, int, int]]):
        self._fd, self._start, self._index = fd, start, index

    def __len__(self) -> int:
        return len(self._index)

    def __del__(self, _close=os.close):  # a bundle read and dropped (tests read many) leaves no descriptor behind
        try:  # (os.close bound here: at interpreter exit the module's globals may already be gone)
            _close(self._fd)
        except OSError:
            pass

    def get(self, source: str) -> bytes | None:
        entry = self._index.get(code_key(source))
        if entry is None:
            return None
        offset, size, crc = entry
        try:
            code = os.pread(self._fd, size, self._start + offset)
        except OSError:
            return None
        return code if len(code) == size and zlib.crc32(code) == crc else None


def read(directory: Path) -> Bundle | None:
    """The cached bundle for this library folder and this code, or None (absent, stale, corrupt or foreign)."""
    digest = key(directory)
    opened = _open(_file("library", digest), digest)
    if opened is None:
        return None
    fd, payload, start = opened
    bundle = _unpickle(payload, _LibraryUnpickler)
    if not isinstance(bundle, Bundle) or not isinstance(bundle.library_codes, dict):
        os.close(fd)
        return None
    bundle.library_codes = StoredCodes(fd, start, bundle.library_codes)
    return bundle


def write(directory: Path, bundle: Bundle) -> None:
    """Store the bundle, its compiled texts as the file's tail; a folder we cannot write only costs a rebuild."""
    digest = key(directory)
    index: dict[bytes, tuple[int, int, int]] = {}
    tail = bytearray()
    for source, code in bundle.library_codes.items():
        index[code_key(source)] = (len(tail), len(code), zlib.crc32(code))
        tail += code
    stored = Bundle(bundle.library_files, bundle.risk_file, bundle.registry, index, bundle.rule_codes, bundle.read_by)
    _store(_file("library", digest), digest, stored, bytes(tail))


class CodeStore:
    """Compiled templates of a few fixed sources (the DOCX template's parts), kept across processes.

    Keyed by the code and versions; each entry by its source text, so a changed template simply adds entries.
    """

    LIMIT = 64  # sources per store: a template has a handful; anything beyond is compiled but not kept

    def __init__(self, name: str):
        self.name = name
        self._codes: dict[str, bytes] | None = None
        self._digest = ""

    def template(self, env, source: str):
        if self._codes is None:
            self._digest = _code_digest()
            loaded = _load(_file(self.name, self._digest), self._digest, _PlainUnpickler)
            ok = isinstance(loaded, dict) and all(isinstance(k, str) and isinstance(v, bytes) for k, v in loaded.items())
            self._codes = loaded if ok else {}
        code = self._codes.get(source)
        if code is not None:
            try:
                return template_from_code(env, code)
            except (ValueError, EOFError, TypeError):  # not code after all: compile it again, and keep that
                pass
        code = compile_code(env, source)
        if len(self._codes) < self.LIMIT or source in self._codes:
            self._codes[source] = code
            _store(_file(self.name, self._digest), self._digest, self._codes)
        return template_from_code(env, code)


class PlainStore:
    """Plain values (text, numbers, tuples of them) derived from a fixed input, kept across processes like the code
    store: what the DOCX template's preparation and style lookups give (≈12 ms a process), keyed by what they read."""

    def __init__(self, name: str):
        self.name = name
        self._values: dict[str, Any] | None = None
        self._digest = ""

    def _loaded(self) -> dict[str, Any]:
        if self._values is None:
            self._digest = _code_digest()
            loaded = _load(_file(self.name, self._digest), self._digest, _PlainUnpickler)
            self._values = loaded if isinstance(loaded, dict) else {}
        return self._values

    def get(self, key: str) -> Any:
        return self._loaded().get(key)

    def put(self, key: str, value: Any) -> None:
        values = self._loaded()
        if len(values) < CodeStore.LIMIT:
            values[key] = value
            _store(_file(self.name, self._digest), self._digest, values)


def compile_code(env, source: str) -> bytes:
    """A text's compiled template as marshalled code (what Jinja's own bytecode cache stores)."""
    return marshal.dumps(env.compile(source))


def template_from_code(env, code: bytes):
    return env.template_class.from_code(env, marshal.loads(code), env.make_globals(None), None)


@dataclass(frozen=True)
class Shipped:
    library: Any  # contracts.library.Library
    riskbook: Any  # contracts.risk.RiskBook


def build(directory: Path) -> Bundle:
    """Parse, validate and compile the library folder (what a cache miss costs, once)."""
    from contracts import crosscheck
    from contracts.answers import MODEL_IDS
    from contracts.library import load_library
    from contracts.risk import load_riskbook

    library = load_library(directory)
    riskbook = load_riskbook(directory)
    library_codes: dict[str, bytes] = {}
    for text in library.texts():
        try:
            library_codes[text] = compile_code(library.env, text)
        except Exception:  # noqa: BLE001 - a text that does not compile fails when it is drafted, with its place
            continue
    rule_codes: dict[str, bytes] = {}
    for text in riskbook.texts():
        try:
            rule_codes[text] = compile_code(riskbook.env, text)
        except Exception:  # noqa: BLE001 - as above
            continue
    read_by = {model: crosscheck.paths_read_by(library, model) for model in MODEL_IDS}
    return Bundle(library.files, riskbook.data, library.registry, library_codes, rule_codes, read_by)


@lru_cache(maxsize=1)
def shipped() -> Shipped:
    """The shipped library and risk rules, once per process: from the cache when it is current, else built."""
    from contracts.library import Library
    from contracts.paths import CLAUSES_DIR
    from contracts.risk import RiskBook

    bundle = read(CLAUSES_DIR)
    if bundle is None:
        bundle = build(CLAUSES_DIR)
        write(CLAUSES_DIR, bundle)
    library = Library(bundle.library_files, bundle.registry, bundle.library_codes, bundle.read_by)
    return Shipped(library, RiskBook(bundle.risk_file, bundle.registry, bundle.rule_codes))


def shipped_registry():
    """The shipped sources registry, shared with the shipped library (one parse of sources.yaml)."""
    return shipped().library.registry
