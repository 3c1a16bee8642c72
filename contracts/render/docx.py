"""Document tree -> .docx bytes through the docxtpl template, deterministically.

docxtpl renders with autoescape on (its default silently drops text after a stray ``<`` or ``&``) and a
strict-undefined Jinja environment; the zip is rewritten with fixed timestamps so that the same tree
always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from pathlib import Path
from typing import Any

from contracts.document import Document
from contracts.paths import TEMPLATES_DIR

TEMPLATE = TEMPLATES_DIR / "contract.docx"
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def render_docx(doc: Document, template: Path = TEMPLATE) -> bytes:
    tpl = _template_class()(io.BytesIO(_template_bytes(Path(template))))
    tpl.render({"d": doc}, jinja_env=_jinja_env(), autoescape=True)
    _set_properties(tpl.docx, doc)
    data = save_docx(tpl.docx)
    _LAST_RENDERED[:] = [data, tpl.docx]
    return data


_LAST_RENDERED: list = []


def reopen(data: bytes):
    """A python-docx Document of ``data``: the in-memory tree if ``data`` is the very object ``render_docx`` just
    returned (saves re-parsing every part for the review copy; the tree is handed over once), else parsed."""
    if _LAST_RENDERED and _LAST_RENDERED[0] is data:
        word = _LAST_RENDERED[1]
        _LAST_RENDERED.clear()
        # docxtpl sets empty core properties to "" in memory, which serializes as <x></x>, where a parsed copy
        # has <x/>: make the tree what parsing ``data`` would give, so both paths write the same bytes.
        for element in word.core_properties._element.iter():
            if element.text == "":
                element.text = None
        return word
    from docx import Document as WordDocument

    return WordDocument(io.BytesIO(data))


def _template_bytes(path: Path) -> bytes:
    """The template file, read once per process (re-read if it changes on disk)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    data = _TEMPLATE_CACHE.get(key)
    if data is None:
        _TEMPLATE_CACHE.clear()
        data = _TEMPLATE_CACHE[key] = path.read_bytes()
    return data


_TEMPLATE_CACHE: dict[tuple, bytes] = {}
_ENV = None
_TEMPLATE_CLASS = None
_LISTING_CHARS = ("\t", "\n", "\a", "\f")


def _template_class():
    """docxtpl's DocxTemplate with two pure, per-process caches (output unchanged, checked byte for byte):

    * ``patch_xml`` (regex clean-up of the template's own tags) depends only on the template part's XML, which is
      the same for every render, so its result is cached by input;
    * ``resolve_listing`` (turning \\t \\n \\a \\f inside text into Word tabs and breaks) is skipped when the
      rendered XML contains none of those characters, which is the common case.
    """
    global _TEMPLATE_CLASS
    if _TEMPLATE_CLASS is None:
        from docxtpl import DocxTemplate

        patched: dict[str, str] = {}

        class _Template(DocxTemplate):
            def patch_xml(self, xml):
                out = patched.get(xml)
                if out is None:
                    if len(patched) >= 16:
                        patched.clear()
                    out = patched[xml] = super().patch_xml(xml)
                return out

            def resolve_listing(self, xml):
                if not any(ch in xml for ch in _LISTING_CHARS):
                    return xml
                return super().resolve_listing(xml)

        _TEMPLATE_CLASS = _Template
    return _TEMPLATE_CLASS


def _jinja_env():
    """One sandboxed, strict, autoescaping environment per process that compiles each template part once.

    docxtpl hands the whole preprocessed document.xml to ``from_string`` on every render; compiling it was a
    third of the render time. The source is identical for every render of the same template, so the compiled
    template is cached by source text (a compiled Jinja template is immutable and safe to reuse).
    """
    global _ENV
    if _ENV is None:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        class _CachingEnvironment(SandboxedEnvironment):
            _compiled: dict[str, Any]

            def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
                if globals is not None or template_class is not None or not isinstance(source, str):
                    return super().from_string(source, globals, template_class)
                tpl = self._compiled.get(source)
                if tpl is None:
                    if len(self._compiled) >= 256:  # template parts and core-property strings: a handful per template
                        self._compiled.clear()
                    tpl = self._compiled[source] = super().from_string(source)
                return tpl

        _ENV = _CachingEnvironment(undefined=StrictUndefined, autoescape=True, finalize=_escape_value)
        _ENV._compiled = {}
    return _ENV


def _escape_value(value):
    """XML-escape a value and hide its underscores from docxtpl's post-render rewrite of {_{ }_} {_% %_}."""
    from markupsafe import Markup, escape

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup(str(escape(value)).replace("_", "&#95;"))


def _set_properties(docx, doc: Document) -> None:
    """The clean copy goes to the counterparty: its properties carry the version, not the tool or an internal note."""
    props = docx.core_properties
    props.title = fit_property(doc.title)
    props.subject = fit_property("・".join(doc.parties))
    props.author = ""
    props.last_modified_by = ""
    props.keywords = ""
    props.comments = fit_property(doc.version_label)
    props.category = "契約書案"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1


def fit_property(value: str, limit: int = 255) -> str:
    """Core properties hold at most 255 characters (python-docx raises beyond): a long party name is cut there."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def normalize_zip(data: bytes) -> bytes:
    """Same members, same order, fixed timestamps and attributes: byte-identical output for identical input."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            _write_member(dst, info.filename, src.read(info.filename))
    return out.getvalue()


def _write_member(dst: zipfile.ZipFile, name: str, blob: bytes) -> None:
    zi = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o600 << 16
    dst.writestr(zi, blob, compresslevel=6)


class _FixedTimeZipWriter:
    """python-docx's physical package writer, with the fixed member attributes of ``normalize_zip``."""

    def __init__(self, buf: io.BytesIO):
        self._zipf = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob: bytes) -> None:
        _write_member(self._zipf, pack_uri.membername, blob)

    def close(self) -> None:
        self._zipf.close()


def save_docx(word) -> bytes:
    """Serialize a python-docx document straight into a normalized zip.

    Same bytes as ``normalize_zip(<python-docx save>)`` (same members in the same order, same attributes)
    without compressing everything twice. Falls back to save-then-normalize if python-docx's package
    writer changes shape.
    """
    try:
        from docx.opc.pkgwriter import PackageWriter

        package = word.part.package
        parts = list(package.parts)
        for part in parts:
            part.before_marshal()
        buf = io.BytesIO()
        writer = _FixedTimeZipWriter(buf)
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
        writer.close()
        return buf.getvalue()
    except (ImportError, AttributeError):  # pragma: no cover - python-docx internals moved
        buf = io.BytesIO()
        word.save(buf)
        return normalize_zip(buf.getvalue())
