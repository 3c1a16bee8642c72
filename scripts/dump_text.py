"""Print the text of generated .docx files in reading order (paragraphs and table rows), for reading drafts."""

from __future__ import annotations

import sys

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


def lines(path: str) -> list[str]:
    doc = Document(path)
    out = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(block, doc).text)
        elif tag == "tbl":
            for row in Table(block, doc).rows:
                out.append(" | ".join(c.text for c in row.cells))
    return out


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"===== {path}")
        print("\n".join(lines(path)))
