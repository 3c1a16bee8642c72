"""Every generated DOCX is a well-formed OPC package: strict XML, complete content types, no dangling relationship."""

from __future__ import annotations

import io
import posixpath
import zipfile

import pytest
from lxml import etree

from contracts.answers import load_answers
from contracts.generate import prepare
from contracts.render.docx import render_docx
from contracts.render.review import add_review_comments
from tests.conftest import EXAMPLES

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)


def ooxml_problems(blob: bytes) -> list[str]:
    """Structural problems of a .docx package; an empty list means it passed."""
    problems: list[str] = []
    try:
        z = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile as exc:
        return [f"not a zip: {exc}"]
    names = z.namelist()
    if len(set(names)) != len(names):
        problems.append("duplicate zip members")
    if z.testzip() is not None:
        problems.append(f"bad CRC in {z.testzip()}")
    trees = {}
    for name in names:
        if name.endswith("/"):
            continue
        if name.endswith((".xml", ".rels")):
            try:
                trees[name] = etree.fromstring(z.read(name), STRICT)
            except etree.XMLSyntaxError as exc:
                problems.append(f"{name}: not well-formed XML: {exc}")
    types = trees.get("[Content_Types].xml")
    if types is None:
        return problems + ["[Content_Types].xml is missing"]
    defaults = {d.get("Extension").lower() for d in types.iter(CT_NS + "Default")}
    overrides = {o.get("PartName") for o in types.iter(CT_NS + "Override")}
    for name in names:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        if "/" + name not in overrides and posixpath.basename(name).rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"{name}: no content type")
    for part in overrides:
        if part.lstrip("/") not in names:
            problems.append(f"[Content_Types].xml names a missing part {part}")
    if "_rels/.rels" not in names:
        problems.append("_rels/.rels is missing")
    for name, tree in trees.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))  # word/_rels/document.xml.rels -> word
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        if name != "_rels/.rels" and source not in names:
            problems.append(f"{name}: relationships of a missing part {source}")
        ids = [r.get("Id") for r in tree.iter(REL_NS + "Relationship")]
        if len(set(ids)) != len(ids):
            problems.append(f"{name}: duplicate relationship ids")
        for rel in tree.iter(REL_NS + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if resolved not in names:
                problems.append(f"{name}: {rel.get('Id')} -> {target} does not exist")
    return problems


def test_the_checker_catches_broken_packages():
    blob = _one_clean()
    z = zipfile.ZipFile(io.BytesIO(blob))

    def rebuild(drop=None, replace=None):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as w:
            for n in z.namelist():
                if n == drop:
                    continue
                w.writestr(n, (replace or {}).get(n, z.read(n)))
        return out.getvalue()

    assert ooxml_problems(blob) == []
    assert any("does not exist" in p for p in ooxml_problems(rebuild(drop="word/styles.xml")))
    assert any("not well-formed" in p for p in ooxml_problems(rebuild(replace={"word/document.xml": b"<w:document>"})))
    types = etree.fromstring(z.read("[Content_Types].xml"))
    for el in list(types):
        if el.get("Extension", "").lower() == "xml" or el.get("PartName") == "/word/styles.xml":
            types.remove(el)
    broken = ooxml_problems(rebuild(replace={"[Content_Types].xml": etree.tostring(types)}))
    assert "word/styles.xml: no content type" in broken


def _one_clean() -> bytes:
    docs = prepare(load_answers(EXAMPLES[0]))[1]
    return render_docx(docs[0])


def test_every_example_docx_clean_and_review_is_structurally_sound(example_sets):
    checked = 0
    for folder in example_sets.values():
        files = sorted(folder.glob("*.docx")) + sorted((folder / "review").glob("*.docx"))
        assert any(p.parent.name == "review" for p in files), folder
        for path in files:
            assert ooxml_problems(path.read_bytes()) == [], path.name
            checked += 1
    assert checked >= 2 * len(EXAMPLES)


def test_review_copy_depends_only_on_the_clean_bytes():
    """add_review_comments reads what it changes from the clean copy's bytes: an equal copy gives the same review copy."""
    for example in EXAMPLES:
        for doc in prepare(load_answers(example))[1]:
            clean = render_docx(doc)
            copy = bytes(bytearray(clean))  # an equal but different object: parsed from the bytes
            reused = add_review_comments(clean, doc, {"x": ["note"]})
            parsed = add_review_comments(copy, doc, {"x": ["note"]})
            assert reused == parsed, doc.file_name
            assert render_docx(doc) == clean  # deterministic
            assert ooxml_problems(reused) == []


@pytest.mark.parametrize("value", ["A&B <x> \"q\" 'a' {{ y }} {_{ z }_}", "改行\nと\tタブ"])
def test_hostile_text_keeps_the_package_sound(value):
    import dataclasses

    doc = prepare(load_answers(EXAMPLES[0]))[1][0]
    first = doc.articles[0]
    para = dataclasses.replace(first.paragraphs[0], text=value)
    doc = dataclasses.replace(doc, articles=(dataclasses.replace(first, paragraphs=(para,) + first.paragraphs[1:]),)
                              + doc.articles[1:], parties=(value, value))
    clean = render_docx(doc)
    assert ooxml_problems(clean) == []
    assert ooxml_problems(add_review_comments(clean, doc, {})) == []
