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
        assert len(pages_of(pdf)) == pages


def packet_of(model: str):
    import yaml

    from contracts.answers import validate_answers
    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.packet import build_packet
    from contracts.risk import default_riskbook

    lib, book = default_library(), default_riskbook()
    answers, documents, found, _ = prepare(validate_answers(yaml.safe_load(
        open(ROOT / "examples" / f"{model}.yaml", encoding="utf-8"))), lib, book)
    return build_packet(answers, documents, found, lib, book)


def documents_of(model: str):
    return packet_of(model).documents


def pages_of(pdf) -> list[str]:
    """Each page's text, squashed (pdftotext ends every page with a form feed)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def footers(pdf) -> list[tuple[str, int, int]]:
    """Each page's number as printed at its foot, (part, n, N): 「－ 3 / 7 －」 on the 本紙 (part ""), 「別添2　－ 3 / 12 －」
    on an attachment; the cover has none and counts as page 1 of the 本紙."""
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    out = []
    for i, page in enumerate(layout.split("\f")[:-1]):
        last = "".join(page.strip().splitlines()[-1].split())
        found = re.fullmatch(r"(別添\d+)?－(\d+)/(\d+)－", last)
        if i == 0:
            assert not found, last  # the cover
            out.append(("", 1, 0))
            continue
        assert found, (pdf.name, i + 1, last)
        label, n, total = found.groups()
        out.append((label or "", int(n), int(total)))
    return out


def test_the_packet_is_its_main_body_then_each_contract_as_an_attachment_numbering_its_own_pages(packets):
    """本紙 (the cover unnumbered, then 2/N …), then 別添1, 別添2 … in the order of the set, each counting 1/M to M/M
    and opening with its contract's title: every part present, in order, and no page lost or repeated."""
    for model, pdf in packets.items():
        documents = documents_of(model)
        texts, printed = pages_of(pdf), footers(pdf)
        starts = [i for i, (_, n, _) in enumerate(printed) if n == 1]
        assert [printed[i][0] for i in starts] == [""] + [f"別添{k}" for k in range(1, len(documents) + 1)], model
        for start, end in zip(starts, starts[1:] + [len(printed)]):
            part = printed[start:end]
            total = part[-1][2]
            assert [n for _, n, _ in part] == list(range(1, total + 1)), (model, part)
            assert {label for label, _, _ in part} == {part[-1][0]} and {t for _, _, t in part[1:]} == {total}
        for d, start in zip(documents, starts[1:]):
            assert "".join(d.title.split()) in texts[start][:200], (model, d.title)
        assert "データ提供に関する取締役会付議資料" in texts[0] and "付議事項の概要" in texts[1]


def test_the_main_body_lists_the_attachments_under_the_request(packets):
    """The request names the attachments the provider signs and those attached for reference (the counterparty's
    terms and pledges); the list under it collapses a run of pledges."""
    text = text_of(packets["joint_research"])
    listed = text[text.index("上記のとおり"):text.index("決議日")]
    assert ("国立大学法人東三河工業大学との間で別添1及び別添2の契約書（案）により契約を締結し、「共同研究型」による"
            "データ提供を行うことにつき、承認を求める。なお、別添3及び別添4は、相手方が本件の参加者等との間で用いる"
            "書面の案であり、参考として添付する。") in listed, listed
    assert "別添資料別添1秘密保持契約書（案）別添2共同研究契約書（案）別添3・4誓約書（案、2通）" in listed, listed
    assert "別添1秘密保持契約書（案）別添2データ提供契約書（案）別添3受講規約（案）別添4受講者誓約書（案）" in text_of(
        packets["data_provision"])


def test_the_viewer_shows_the_printed_page_numbers(packets):
    """Page labels: the 本紙 1, 2 …, then 別添k-1, 別添k-2 …, as the footers print them."""
    from pypdf import PdfReader

    reader = PdfReader(packets["joint_research"])
    labels = reader.page_labels
    texts = pages_of(packets["joint_research"])
    for label, text in zip(labels, texts):
        part, _, number = label.rpartition("-")
        footer = re.search(r"－\s*(\d+)\s*/\s*\d+\s*－", text)
        if footer:  # the cover has none
            assert footer.group(1) == number, (label, text[-80:])
        if part:
            assert part in text, label
    main = [label for label in labels if "-" not in label]
    assert main == [str(n) for n in range(1, len(main) + 1)] and labels[: len(main)] == main
    parts = list(dict.fromkeys(label.rpartition("-")[0] for label in labels[len(main):]))
    assert parts == [f"別添{k}" for k in range(1, len(documents_of("joint_research")) + 1)]


def test_the_attachment_list_names_runs_and_the_request_only_what_the_provider_signs():
    from contracts.answers import load_answers
    from contracts.generate import prepare
    from contracts.packet import Listed, attachment_list, signed_by

    answers, documents, _, _ = prepare(load_answers(ROOT / "examples" / "joint_research.yaml"))
    pledge = documents[2]
    many = [*documents[:2], *[pledge] * 12]
    assert attachment_list(many)[-1] == Listed("別添3～14", "誓約書（案、12通）")
    provider = answers.parties.provider.name
    assert [signed_by(d, provider) for d in documents] == [True, True, False, False]


def test_the_outline_holds_the_sections_and_each_attachment_with_its_articles_and_points_at_their_pages(packets):
    from pypdf import PdfReader

    for model, pdf in packets.items():
        reader = PdfReader(pdf)
        texts = pages_of(pdf)

        def walk(items, depth=0, reader=reader):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item, depth + 1)
                else:
                    yield depth, item.title, reader.get_destination_page_number(item)

        entries = list(walk(reader.outline))
        roots = [title for depth, title, _ in entries if depth == 0]
        sections = ["1. 付議事項の概要", "2. 提供モデルの比較", "3. リスク評価と対応", "4. 決裁"]  # siblings, as printed
        assert roots == sections + [f"別添{k}　{d.title}" for k, d in enumerate(documents_of(model), 1)], (model, roots)
        assert any(re.fullmatch(r"第1条（.+）", title) for depth, title, _ in entries if depth == 1)
        pages = [page for _, _, page in entries]
        assert pages == sorted(pages), model
        for _, title, page in entries:
            heading = title.split("　", 1)[1] if title.startswith("別添") else title
            assert all(word in texts[page] for word in heading.split()), (model, title, page)  # the page it names
        assert reader.metadata.title.startswith("データ提供に関する取締役会付議資料（")
        assert reader.trailer["/Root"]["/Lang"] == "ja"


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


# --------------------------------------------------------------------------- two processes, one PDF


@pytest.fixture(scope="module")
def packet():
    return packet_of("data_provision")


def test_the_parts_are_split_into_two_groups_each_in_order(packet):
    from contracts.render.pdf import part_cost, part_sources, split

    sources = part_sources(packet)
    costs = [part_cost(s) for s in sources]
    first, second = split(costs)
    assert sorted(first + second) == list(range(len(sources))) and first and second
    assert list(first) == sorted(first) and list(second) == sorted(second)
    assert split(costs) == (first, second)
    assert split(costs[:1]) == ((0,), ())


def test_rendered_in_two_processes_or_in_one_the_pdf_is_the_same(packets, packet):
    """The CLI's packet (a forked child renders half), the web front end's (one process, one group after the other)
    and this process forking again: the same bytes."""
    from contracts.render.pdf import PacketPdf, render_pdf

    forked = PacketPdf(packet, parallel=True)
    try:
        assert forked.child is not None  # no other thread runs in this process: it forks
        parallel = forked.result()
    finally:
        forked.close()
    assert parallel == render_pdf(packet) == packets["data_provision"].read_bytes()


def test_when_the_child_fails_this_process_renders_its_group(packets, packet, monkeypatch):
    import os

    import contracts.render.pdf as pdf

    parent, real = os.getpid(), pdf.render_group

    def fails_in_the_child(sources):
        if os.getpid() != parent:
            raise MemoryError("the child fails")
        return real(sources)

    monkeypatch.setattr(pdf, "render_group", fails_in_the_child)
    job = pdf.PacketPdf(packet, parallel=True)
    try:
        assert job.child is not None
        assert job.result() == packets["data_provision"].read_bytes()  # whole, and the same
    finally:
        job.close()


def test_a_child_whose_pdf_is_never_asked_for_is_stopped(monkeypatch):
    """The caller stops after the first Word file (a full disk, Ctrl-C): no process is left rendering."""
    import os

    import yaml

    import contracts.render.pdf as pdf
    from contracts.answers import validate_answers
    from contracts.generate import prepare, render_files
    from contracts.library import default_library

    started = []

    class Recorded(pdf.Child):
        def __init__(self, work):
            super().__init__(work)
            started.append(self.pid)

    monkeypatch.setattr(pdf, "Child", Recorded)
    lib = default_library()
    prepared = prepare(validate_answers(yaml.safe_load(open(EXAMPLES[0], encoding="utf-8"))), lib)
    files = render_files(*prepared, lib, formats=("docx", "pdf"), parallel=True)
    name, _ = next(files)
    assert name.endswith(".docx") and len(started) == 1
    files.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # reaped: no such child any more
