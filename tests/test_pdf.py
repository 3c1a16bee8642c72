"""The board-approval PDF packet, read back with poppler as a board member's copy would be."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES, ROOT, keiyaku, keiyaku_process

PACKET = "取締役会付議資料.pdf"


@pytest.fixture(scope="module")
def packets(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("pdf")
    out = {}
    for ex in EXAMPLES:
        folder = base / ex.stem
        result = keiyaku("generate", ex, "--out", folder, "--format", "pdf")
        assert result.exit_code == 0, result.output
        out[ex.stem] = folder / PACKET
    return out


def text_of(pdf) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_harfbuzz_subsetting_is_available():
    """Without libharfbuzz-subset0 WeasyPrint silently falls back to a 20x slower font subsetter."""
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None


def test_only_noto_serif_cjk_jp_is_embedded(packets):
    """pdftotext cannot see missing-glyph boxes; a fallback font in pdffonts is how tofu shows up."""
    for model, pdf in packets.items():
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts = {line.split()[0].split("+", 1)[1] for line in listing.splitlines()[2:] if line.strip()}
        assert fonts <= {"Noto-Serif-CJK-JP", "Noto-Serif-CJK-JP-Bold"} and "Noto-Serif-CJK-JP" in fonts, (model, fonts)
        for line in listing.splitlines()[2:]:
            assert line.split()[-5:-2] == ["yes", "yes", "yes"], line  # embedded, subset, unicode


def test_packet_text_round_trips(packets, example_sets):
    from tests.conftest import ARTICLE_HEADING, docx_lines

    for model, pdf in packets.items():
        text = text_of(pdf)
        for needle in ("データ提供に関する取締役会付議資料", "付議事項の概要", "提供モデルの比較", "リスク評価と対応",
                       "起案", "審査（法務）", "承認", "決議日", "専門家による確認"):
            assert needle in text, (model, needle)
        for docx in example_sets[model].glob("*.docx"):
            lines = docx_lines(docx)
            title = next(line for line in lines if "収入印紙" not in line)  # a paper draft may open with the stamp box
            assert "".join(title.split()) in text, (model, docx.name)
            for line in lines:
                if ARTICLE_HEADING.match(line):
                    assert line in text, (model, line)


def test_packet_names_both_parties_and_the_findings(packets):
    import yaml

    from contracts.answers import validate_answers
    from contracts.risk import findings

    for model, pdf in packets.items():
        answers = validate_answers(yaml.safe_load(open(ROOT / "examples" / f"{model}.yaml", encoding="utf-8")))
        text = text_of(pdf)
        assert "".join(answers.parties.provider.name.split()) in text
        assert "".join(answers.parties.recipient.name.split()) in text
        for f in findings(answers):
            # Table cells sit side by side, so pdftotext interleaves their lines: compare each cell's first line.
            assert "".join(f.message.split())[:12] in text, (model, f.rule)


def test_page_count_and_page_numbers_are_plausible(packets):
    for model, pdf in packets.items():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert 8 <= pages <= 80, (model, pages)
        assert re.search(r"A4|595\.\d* x 841\.\d*", info), info
        assert f"－1/{pages}－" in text_of(pdf) or f"－2/{pages}－" in text_of(pdf)


def test_same_answers_give_byte_identical_pdf(tmp_path, packets):
    """The packet written in this process, and again by another one, whose string hashes (and set orders) differ."""
    ex = EXAMPLES[0]
    again = keiyaku_process("generate", ex, "--out", tmp_path, "--format", "pdf", env={"PYTHONHASHSEED": "random"})
    assert again.returncode == 0, again.stderr
    assert (tmp_path / PACKET).read_bytes() == packets[ex.stem].read_bytes()


def test_word_only_runs_do_not_import_weasyprint():
    code = ("import sys, yaml; from contracts.answers import validate_answers; from contracts.generate import build_set; "
            f"build_set(validate_answers(yaml.safe_load(open('{EXAMPLES[0]}', encoding='utf-8')))); "
            "print('weasyprint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
