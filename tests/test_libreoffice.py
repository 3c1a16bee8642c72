"""A real client opens every generated DOCX: LibreOffice converts each to PDF and the text survives."""

from __future__ import annotations

import subprocess

from tests.conftest import have


def test_libreoffice_converts_every_generated_docx(example_docx, example_sets, tmp_path):
    assert have("soffice"), "LibreOffice (soffice) must be installed: run `make test`, which installs it"
    reviews = sorted(p for folder in example_sets.values() for p in (folder / "review").glob("*.docx"))
    assert reviews
    example_docx = [*example_docx, *reviews]
    profile = tmp_path / "profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, example_docx)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for docx in example_docx:
        pdf = tmp_path / "pdf" / (docx.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 5000, docx.name
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True).stdout
        compact = "".join(text.split())
        assert "第1条" in compact or "誓約" in compact, docx.name
        if "review" in docx.parts:
            assert "専門家による確認" in compact and "社外秘" in compact, docx.name
        else:
            assert "（第1版）" in compact and "専門家による確認" not in compact, docx.name
