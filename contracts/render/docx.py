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

from contracts.document import Document
from contracts.paths import TEMPLATES_DIR

TEMPLATE = TEMPLATES_DIR / "contract.docx"
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def render_docx(doc: Document, template: Path = TEMPLATE) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    tpl = DocxTemplate(str(template))
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, finalize=_escape_value)
    tpl.render({"d": doc}, jinja_env=env, autoescape=True)
    _set_properties(tpl.docx, doc)
    buf = io.BytesIO()
    tpl.save(buf)
    return normalize_zip(buf.getvalue())


def _escape_value(value):
    """XML-escape a value and hide its underscores from docxtpl's post-render rewrite of {_{ }_} {_% %_}."""
    from markupsafe import Markup, escape

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup(str(escape(value)).replace("_", "&#95;"))


def _set_properties(docx, doc: Document) -> None:
    props = docx.core_properties
    props.title = doc.title
    props.subject = "・".join(doc.parties)
    props.author = "keiyaku"
    props.last_modified_by = "keiyaku"
    props.keywords = "草案; 要専門家確認"
    props.comments = doc.notice
    props.category = doc.kind
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1


def normalize_zip(data: bytes) -> bytes:
    """Same members, same order, fixed timestamps and attributes: byte-identical output for identical input."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename), compresslevel=6)
    return out.getvalue()
