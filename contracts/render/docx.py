"""Document tree -> .docx bytes through the docxtpl template, deterministically.

The template is rendered as docxtpl renders it, with autoescape on (its default silently drops text after a stray
``<`` or ``&``) and a strict-undefined Jinja environment; the zip is written with fixed timestamps so that the same
tree always gives the same bytes. The package work (docxtpl's steps replicated with lxml, which parts are rendered,
which are kept as the template's bytes) is in ``contracts.render.ooxml`` and ``contracts.render.docxtpl_steps``.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from contracts import cache
from contracts.document import (
    Annotation,
    Article,
    Document,
    Item,
    Paragraph,
    Schedule,
    ScheduleRow,
    SideNote,
    SignatureBlock,
    StampBox,
)
from contracts.paths import TEMPLATES_DIR

TEMPLATE = TEMPLATES_DIR / "contract.docx"
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)


def render_docx(doc: Document, template: Path = TEMPLATE) -> bytes:
    return render_package(doc, template).to_bytes()


def render_package(doc: Document, template: Path = TEMPLATE):
    """The clean copy as an ``ooxml.Package`` not yet written: a set writes it and then starts the review copy from
    its trees (``Package.reopened``) instead of reading its bytes back."""
    from contracts.render import ooxml

    package = ooxml.render(ooxml.template(Path(template)), {"d": doc}, jinja_env())
    _set_properties(ooxml.core_properties(package), doc)
    return package


_STORE = cache.CodeStore("docx-template")  # the template's parts compiled once per machine, not per process


@lru_cache(maxsize=1)
def jinja_env():
    """One sandboxed, strict, autoescaping environment per process that compiles each template part once.

    The template's document body is the same Jinja source for every render; compiling it was a third of the
    render time, so compiled templates are kept by source text (a compiled Jinja template is immutable and safe
    to reuse).
    """
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    records = (Document, Article, Paragraph, Item, Schedule, ScheduleRow, SignatureBlock, StampBox, Annotation,
               SideNote)

    class _CachingEnvironment(SandboxedEnvironment):
        _compiled: dict[str, Any]

        def is_safe_attribute(self, obj, attr, value):
            # The sandbox's answer for an instance of the draft's plain dataclasses (no function, method, type,
            # frame or generator, whose special attributes it also refuses): "not private". Asked ~1,600 times a set.
            if type(obj) in records:
                return not attr.startswith("_")
            return super().is_safe_attribute(obj, attr, value)

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            tpl = self._compiled.get(source)
            if tpl is None:
                if len(self._compiled) >= 256:  # template parts and core-property strings: a handful per template
                    self._compiled.clear()
                tpl = self._compiled[source] = _STORE.template(self, source)
            return tpl

    env = _CachingEnvironment(undefined=StrictUndefined, autoescape=True, finalize=_escape_value)
    env._compiled = {}
    return env


def _escape_value(value):
    """XML-escape a value and hide its underscores from docxtpl's post-render rewrite of {_{ }_} {_% %_}."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    if "_" not in value:  # most texts: escaping adds no underscore, so there is nothing to hide
        return escape(value)
    return Markup(str(escape(value)).replace("_", "&#95;"))


def _set_properties(props, doc: Document) -> None:
    """The clean copy goes to the counterparty: its properties carry the version, not the tool or an internal note."""
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
