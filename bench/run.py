"""keiyaku benchmarks: medians over repeated runs (with min and max), written whole to bench/RESULTS.md.

    .venv/bin/python bench/run.py            # full run (about 5 minutes on the 2-core reference machine, idle)
    .venv/bin/python bench/run.py --quick    # fewer repeats, 100-set batch, growth up to 10x (about 1 minute)

Nothing here asserts a time: targets are reported next to the figures, never enforced by the test suite.
Wall-clock times on a shared machine are noisy; the load average before and after the run is recorded, and the
figures that run many processes also give their CPU time, which other work on the machine inflates much less.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as _dt
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
KEIYAKU = str(VENV_BIN / "keiyaku") if (VENV_BIN / "keiyaku").exists() else "keiyaku"
EXAMPLE = ROOT / "examples" / "data_provision.yaml"
MAIN_DOCUMENT = "data_provision_agreement"  # the main contract of the example; falls back to the largest
PLEDGES_EXAMPLE = ROOT / "examples" / "joint_research.yaml"  # one pledge per listed student
RESULTS = ROOT / "bench" / "RESULTS.md"
HISTORY = ROOT / "bench" / "history.md"
MB = 2**20


# --------------------------------------------------------------------------- measuring


class Figure:
    def __init__(self, name: str, samples: list[float], unit: str = "s", target: str = "", ok: bool | None = None,
                 note: str = ""):
        self.name, self.samples, self.unit, self.target, self.ok, self.note = name, samples, unit, target, ok, note

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def cell(self, value: float) -> str:
        if self.unit == "s":
            return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
        if self.unit == "x":
            return f"{value:.2f}×"
        return f"{value:,.1f} {self.unit}"

    def row(self) -> str:
        spread = f"{self.cell(min(self.samples))} – {self.cell(max(self.samples))}" if len(self.samples) > 1 else "–"
        return (f"| {self.name} | {self.cell(self.median)} | {spread} | {len(self.samples)} | {self.target} | "
                f"{self.verdict} | {self.note} |")

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**missed**", None: ""}[self.ok]


def repeat(fn, runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def shell(args: list[str], runs: int, warmup: int = 1, check: bool = True) -> list[float]:
    def once():
        r = subprocess.run(args, capture_output=True, cwd=ROOT)
        if check and r.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stderr.decode(errors='replace')}")

    return repeat(once, runs, warmup)


@dataclasses.dataclass
class Run:
    """One command run to its end: wall seconds, CPU seconds of the process and the children it waited for
    (os.wait4: user + sys), and the peaks of its sampled process tree (TreeMemory)."""

    wall: float
    cpu: float
    tree: TreeMemory


def measured(args: list[str]) -> Run:
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        tree = TreeMemory(proc.pid)
        tree.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        tree.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.read().decode(errors='replace')[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, tree)


class TreeMemory(threading.Thread):
    """Samples a process and all its descendants every 0.1 s from /proc: the peak of their summed RSS (VmRSS, what
    the targets use), of their summed PSS (smaps_rollup: a page shared by n processes counts 1/n in each, so pages
    shared after fork are counted once), the number of processes, and the largest peak RSS of any one of them
    (VmHWM, the kernel's high-water mark since the process's exec). Sums can miss peaks shorter than 0.1 s.

    Not os.wait4's ru_maxrss: on Linux it includes what the child held between fork and exec, that is the size
    of this benchmark process."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.rss, self.pss, self.processes, self.largest = pid, 0, 0, 0, 0
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree(self) -> list[int]:
        kids: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += kids.get(p, [])
        return out

    @staticmethod
    def _kib(path: str, field: str) -> int:
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(field):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def run(self):
        while not self._done.is_set():
            tree = self._tree()
            rss = sum(self._kib(f"/proc/{p}/status", "VmRSS:") for p in tree)
            pss = sum(self._kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.processes = max(self.processes, len(tree))
            self.largest = max([self.largest] + [self._kib(f"/proc/{p}/status", "VmHWM:") for p in tree])
            self._done.wait(0.1)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def variant(answers, i: int):
    """The answers with another counterparty name: no run is answered from a memo of answers already seen."""
    recipient = answers.parties.recipient.model_copy(update={"name": f"株式会社ベンチ{i:05d}"})
    return answers.model_copy(update={"parties": answers.parties.model_copy(update={"recipient": recipient})})


# --------------------------------------------------------------------------- sections


def machine() -> list[str]:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "-"

    import yaml

    try:
        from weasyprint.text.ffi import harfbuzz_subset  # noqa: F401

        hb = "yes" if harfbuzz_subset is not None else "no (fontTools fallback: slow PDFs)"
    except Exception as exc:  # noqa: BLE001
        hb = f"unknown ({type(exc).__name__})"
    pkgs = ["keiyaku", "docxtpl", "python-docx", "Jinja2", "lxml", "pydantic", "click", "PyYAML", "weasyprint"]
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        f"- nproc: {os.cpu_count()} ({cpu})",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        "- " + ", ".join(f"{p} {version(p)}" for p in pkgs),
        f"- libyaml available to PyYAML: {'yes' if yaml.__with_libyaml__ else 'no'}; HarfBuzz subsetting: {hb}",
    ]


FLOOR_SCRIPT = """\
import io, json, sys
from docxtpl import DocxTemplate
for tree in json.load(open(sys.argv[2], encoding="utf-8")):
    template = DocxTemplate(sys.argv[1])
    template.render({"d": tree}, autoescape=True)
    template.save(io.BytesIO())
"""


def plain(value):
    """A document tree as plain JSON data with the same names (properties included) for the bare docxtpl script."""
    if dataclasses.is_dataclass(value):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, attr in vars(type(value)).items():
            if isinstance(attr, property):
                out[name] = plain(getattr(value, name))
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def bytecode() -> str:
    """Every module of keiyaku compiled to its __pycache__ first, as Python does on a user's first run (and pip at
    install): a process measured later must not pay for compiling an edited module because the shell that runs the
    bench sets PYTHONDONTWRITEBYTECODE."""
    import compileall

    for package in ("cli", "contracts", "web"):
        compileall.compile_dir(ROOT / package, quiet=1)
    return "keiyaku's modules compiled to bytecode before the run (as on any run after the first)"


def library_load() -> tuple[float, float]:
    """Seconds to build the library cache (what the first process after a change of the library or of keiyaku pays)
    and to read it (every other process), in this process: contracts/cache.py."""
    from contracts import cache
    from contracts.library import default_library
    from contracts.paths import CLAUSES_DIR
    from contracts.risk import default_riskbook

    t = time.perf_counter()
    bundle = cache.build(CLAUSES_DIR)
    built = time.perf_counter() - t
    cache.write(CLAUSES_DIR, bundle)
    t = time.perf_counter()
    default_library(), default_riskbook()
    return built, time.perf_counter() - t


def startup(runs: int, tmp: Path) -> list[Figure]:
    from contracts.answers import load_answers
    from contracts.generate import prepare
    from contracts.render.docx import TEMPLATE

    _, documents, _, _ = prepare(load_answers(EXAMPLE))
    trees, script = tmp / "trees.json", tmp / "floor_docxtpl.py"
    trees.write_text(json.dumps([plain(d) for d in documents], ensure_ascii=False, default=str), encoding="utf-8")
    script.write_text(FLOOR_SCRIPT, encoding="utf-8")
    out = tmp / "startup"
    figs = [
        Figure("floor: bare `python -c pass`", shell([sys.executable, "-c", "pass"], runs)),
        Figure(f"floor: bare docxtpl script, same template, the example's {len(documents)} contract trees, "
               "each saved to a zip", shell([sys.executable, str(script), str(TEMPLATE), str(trees)], runs),
               note="clean drafts only: no review copies, summary, checks or files written"),
        Figure("`keiyaku --help`", shell([KEIYAKU, "--help"], runs), target="≤ 300 ms"),
        Figure("`keiyaku validate` (example)", shell([KEIYAKU, "validate", str(EXAMPLE)], runs), target="≤ 300 ms"),
        Figure(f"`keiyaku generate` (Word set: {len(documents)} contracts + {len(documents)} review copies + summary)",
               shell([KEIYAKU, "generate", str(EXAMPLE), "--out", str(out / "docx"), "--force"], runs),
               target="≤ 350 ms"),
        Figure("`keiyaku generate --pdf` (Word set + board packet), end to end",
               shell([KEIYAKU, "generate", str(EXAMPLE), "--out", str(out / "pdf"), "--force", "--pdf"],
                     max(3, runs // 2)), target="≤ 2 s"),
    ]
    for f, limit in zip(figs[2:], (0.3, 0.3, 0.35, 2.0)):
        f.ok = f.median <= limit
    return figs


def heavy_imports_at_startup() -> str:
    """Which heavy packages `keiyaku --help` imports (python -X importtime), and its import total."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import sys; sys.argv=['keiyaku','--help']; from cli.main import main; main()"],
        capture_output=True, text=True, cwd=ROOT,
    )
    heavy = ("weasyprint", "docxtpl", "docx", "lxml", "pydantic", "jinja2", "yaml", "fontTools")
    seen, total_us = set(), 0
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if not m:
            continue
        name = m.group(4)
        if len(m.group(3)) == 1:  # top-level import: its cumulative time
            total_us += int(m.group(2))
        root = name.split(".")[0]
        if root in heavy:
            seen.add(root)
    return (f"`keiyaku --help` imports {total_us / 1000:.0f} ms of modules (python -X importtime, cumulative); "
            f"heavy packages imported: {', '.join(sorted(seen)) or 'none'}.")


def in_process(runs: int) -> tuple[list[Figure], dict]:
    from docxtpl import DocxTemplate

    from cli.process import collect_garbage
    from contracts.answers import load_answers
    from contracts.assembly import assemble
    from contracts.generate import build_set, prepare, render_files
    from contracts.library import default_library
    from contracts.packet import build_packet
    from contracts.render.docx import TEMPLATE, render_docx
    from contracts.render.pdf import render_pdf
    from contracts.render.review import add_review_comments
    from contracts.risk import default_riskbook

    lib, book = default_library(), default_riskbook()
    collect_garbage()  # as `keiyaku serve` does once the library is loaded: it stays out of the collector's passes
    base = load_answers(EXAMPLE)
    answers, documents, found, ranking = prepare(base, lib, book)
    doc = next((d for d in documents if d.kind == MAIN_DOCUMENT), max(documents, key=lambda d: len(d.articles)))

    assemble_one = lambda: assemble(answers, lib, doc.kind)  # noqa: E731
    clean = render_docx(doc)

    def floor():
        tpl = DocxTemplate(str(TEMPLATE))
        tpl.render({"d": doc}, autoescape=True)
        tpl.save(io.BytesIO())

    def ours():
        render_docx(assemble(answers, lib, doc.kind))

    calls = iter(range(10**6))
    n_files = len(build_set(base, lib, book).files)

    def warm_set():
        build_set(variant(base, next(calls)), lib, book)

    def warm_prepare():
        prepare(variant(base, next(calls)), lib, book)

    def warm_render():
        for _ in render_files(answers, documents, found, ranking, lib, book):
            pass

    packet = lambda: render_pdf(build_packet(answers, documents, found, lib, book))  # noqa: E731
    t = time.perf_counter()
    packet()
    first_pdf = time.perf_counter() - t

    many = runs * 3
    ws = Figure(f"**warm set**: every file of the example's set ({len(documents)} contracts, their review copies and "
                f"the summary: {n_files} files), assembled and rendered in memory (`build_set`)",
                repeat(warm_set, many), target="≤ 60 ms")
    ws.ok = ws.median <= 0.06
    wp = Figure("of which: prepare (model, refusals, assembly, findings)", repeat(warm_prepare, many))
    wr = Figure("of which: render the files of a prepared set (`render_files`)", repeat(warm_render, many))
    a = Figure(f"assemble one document ({doc.title}, {len(doc.articles)} articles)", repeat(assemble_one, many))
    r = Figure("render one DOCX (clean draft)", repeat(lambda: render_docx(doc), many))
    rv = Figure("add review comments to it (review copy)", repeat(lambda: add_review_comments(clean, doc, {}), many))
    fl = Figure("floor: plain docxtpl, same template and tree, saved to a zip", repeat(floor, many))
    ou = Figure("ours: assemble + render_docx (deterministic zip)", repeat(ours, many))
    ratio = Figure("ours / floor", [ou.median / fl.median], unit="x", target="≤ 1.5×")
    ratio.ok = ratio.samples[0] <= 1.5
    pdf = Figure("render the board packet PDF in one process, as `keiyaku serve` does (build_packet + WeasyPrint "
                 "+ join)", repeat(packet, max(3, runs // 2), warmup=0),
                 note=f"first call incl. WeasyPrint import: {first_pdf:.2f} s")
    forked = lambda: render_pdf(build_packet(answers, documents, found, lib, book), parallel=True)  # noqa: E731
    pdf2 = Figure("the same on two cores, as `keiyaku generate --pdf` does (a forked child lays out half the parts)",
                  repeat(forked, max(3, runs // 2), warmup=0))
    info = {"doc": doc, "answers": answers, "lib": lib}
    return [ws, wp, wr, a, r, rv, fl, ou, ratio, pdf, pdf2], info


def batch(sets: int, tmp: Path) -> tuple[list[Figure], str]:
    """`keiyaku batch` of N sets (one per CSV row), its process tree sampled."""
    from contracts.answers import load_answers
    from contracts.library import default_library

    n_docs = len(default_library().documents_for(load_answers(EXAMPLE).model))
    rows = tmp / "rows.csv"
    with rows.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["parties.recipient.name", "deal.learners.count"])
        for i in range(sets):
            w.writerow([f"株式会社ベンチ{i:04d}", 10 + i % 200])
    out = tmp / "batch"
    how = (f"`keiyaku batch examples/{EXAMPLE.name} <{sets} rows> --out DIR` (default jobs: one worker per CPU, "
           f"here {len(os.sched_getaffinity(0))})")
    run = measured([KEIYAKU, "batch", str(EXAMPLE), str(rows), "--out", str(out)])
    files = sum(1 for _ in out.rglob("*.docx"))
    docs = sets * n_docs
    rate = Figure(f"batch: {sets} sets, clean contracts per second ({n_docs} contracts per set)", [docs / run.wall],
                  unit="docs/s", target="≥ 60 docs/s",
                  note=f"{run.wall:.1f} s wall; {files} .docx files = {files / run.wall:.0f} files/s")
    rate.ok = rate.samples[0] >= 60
    cpu = Figure("batch: CPU time per set, summed over parent and workers (user + sys, os.wait4)",
                 [run.cpu / sets], note=f"{run.cpu:.1f} s CPU in all; the rate 2 idle cores allow: "
                                        f"{2 * docs / run.cpu:.0f} docs/s")
    tree_rss = Figure(f"batch: peak RSS summed over parent and workers ({run.tree.processes} processes, sampled 10×/s)",
                      [run.tree.rss / MB], unit="MB", target="≤ 300 MB (this measure)")
    tree_rss.ok = tree_rss.samples[0] <= 300
    tree_pss = Figure("batch: peak PSS summed over the same processes (smaps_rollup: pages shared after fork counted "
                      "once)", [run.tree.pss / MB], unit="MB", note="what the batch really occupies")
    largest = Figure("batch: peak RSS of the largest process (VmHWM)", [run.tree.largest / MB], unit="MB")
    return [rate, cpu, tree_rss, tree_pss, largest], how


def pledges(counts: list[int], runs: int, tmp: Path) -> tuple[list[Figure], list[str], list[tuple]]:
    """`keiyaku generate` of the joint research example with n generated students (one pledge each), from the shell."""
    import yaml

    base = yaml.safe_load(PLEDGES_EXAMPLE.read_text(encoding="utf-8"))
    figs, lines, per = [], [], {}
    for n in counts:
        data = json.loads(json.dumps(base, default=str))
        data["deal"]["research"]["students"] = [
            {"name": f"学生 {i + 1:03d}", "affiliation": f"大学院工学研究科 博士前期課程{1 + i % 2}年"} for i in range(n)]
        answers = tmp / f"students_{n}.yaml"
        answers.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out = tmp / f"students_{n}"
        if n == counts[0]:
            measured([KEIYAKU, "generate", str(answers), "--out", str(out), "--force"])  # warm-up, as for the others
        results = [measured([KEIYAKU, "generate", str(answers), "--out", str(out), "--force"]) for _ in range(runs)]
        files = sum(1 for p in out.rglob("*") if p.is_file())
        per[n] = (statistics.median(r.wall for r in results), statistics.median(r.cpu for r in results),
                  max(r.tree.largest for r in results))
        figs.append(Figure(f"`keiyaku generate`, joint research with {n} students ({files} files)",
                           [r.wall for r in results],
                           note=f"CPU {per[n][1]:.2f} s; peak RSS {per[n][2] / MB:.0f} MB (VmHWM)"))
    lo, mid, hi = counts[0], counts[len(counts) // 2], counts[-1]
    slope = [(per[b][1] - per[a][1]) / (b - a) for a, b in ((lo, mid), (mid, hi))]
    linear = 0.7 <= slope[1] / slope[0] <= 1.3
    growth = per[hi][2] / per[lo][2]
    flat = growth <= 1.10
    lines.append(
        f"Time: CPU per added student {slope[0] * 1000:.0f} ms ({lo}→{mid}) and {slope[1] * 1000:.0f} ms ({mid}→{hi}): "
        f"{'linear' if linear else '**not linear**'} (criterion: the two within ±30 % of each other). "
        f"Memory: peak RSS {per[lo][2] / MB:.0f} MB with {lo} students, {per[hi][2] / MB:.0f} MB with {hi} "
        f"({growth:.2f}×): {'flat' if flat else '**grows**'} (criterion: at most 1.10×). Each file "
        "is rendered and written into the staging folder before the next is rendered (contracts.generate.render_files "
        "into contracts.render.files.write_set).")
    verdict = {True: "met", False: "**missed**"}
    checks = [(f"{lo}, {mid}, {hi} named students (joint research)", "time linear",
               f"{slope[0] * 1000:.0f} / {slope[1] * 1000:.0f} ms CPU per added student", verdict[linear]),
              (f"{lo}, {mid}, {hi} named students (joint research)", "flat memory",
               f"peak RSS {per[lo][2] / MB:.0f} → {per[hi][2] / MB:.0f} MB", verdict[flat])]
    return figs, lines, checks


def growth(factors: list[int], runs: int, tmp: Path, info: dict) -> tuple[list[Figure], list[str]]:
    """Assembly time of one big document whose articles are the main contract's clauses cloned k times."""
    import yaml

    from contracts.assembly import assemble
    from contracts.library import load_library
    from contracts.paths import CLAUSES_DIR

    lib0, doc, answers = info["lib"], info["doc"], info["answers"]
    spec = lib0.documents[doc.kind]
    clause_ids = list(spec.articles)
    figs, lines = [], []
    per_article = {}
    for k in factors:
        folder = tmp / f"library_x{k}"
        shutil.copytree(CLAUSES_DIR, folder)
        clones, articles = [], list(clause_ids)
        for c in range(1, k):
            for cid in clause_ids:
                raw = lib0.clauses[cid].model_dump(mode="json", exclude_defaults=True)
                raw["id"] = f"{cid}__x{c}"
                clones.append(raw)
                articles.append(raw["id"])
        big = spec.model_dump(mode="json", exclude_defaults=True)
        big.update(id="synthetic_big", file_name="99_synthetic", order=99, articles=articles, models=[answers.model])
        (folder / "zz_synthetic.yaml").write_text(
            yaml.safe_dump({"documents": [big], "clauses": clones}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        t = time.perf_counter()
        lib = load_library(folder)
        load = time.perf_counter() - t
        t = time.perf_counter()
        first = assemble(answers, lib, "synthetic_big")
        cold = time.perf_counter() - t
        n = len(first.articles)
        samples = repeat(lambda lib=lib: assemble(answers, lib, "synthetic_big"), max(3, runs // (1 if k < 100 else 2)),
                         warmup=0)
        f = Figure(f"assemble a document of {len(articles)} clauses ({k}× the main contract; {n} articles apply)", samples,
                   note=f"{statistics.median(samples) / n * 1e6:.0f} µs/article; first call {cold:.2f} s; "
                        f"library load {load:.1f} s")
        per_article[k] = statistics.median(samples) / n
        figs.append(f)
    base = per_article[factors[0]]
    lines.append("Time per article relative to 1×: " + ", ".join(f"{k}×: {per_article[k] / base:.2f}" for k in factors)
                 + " (1.00 everywhere = linear).")
    return figs, lines


def preview(runs: int) -> tuple[list[Figure], str]:
    """One preview update of `keiyaku serve` (bench/preview.py)."""
    from bench import preview as _preview

    what, rows = _preview.measure(runs)
    figs = [Figure(name, seconds, note=note) for name, seconds, note in rows]
    update = figs[-2]
    update.target, update.ok = f"≤ {_preview.TARGET * 1000:.0f} ms", update.median <= _preview.TARGET
    return figs, what


# --------------------------------------------------------------------------- report


def _loader_name() -> str:
    try:
        from contracts.library import SAFE_LOADER

        return f"YAML via {SAFE_LOADER.__name__}"
    except ImportError:
        return "YAML via yaml.safe_load"


def table(figs: list[Figure]) -> list[str]:
    return ["| measure | median | min – max | runs | target | result | note |", "|---|---|---|---|---|---|---|"] + [
        f.row() for f in figs
    ]


def targets(figs: list[Figure], extra: list[tuple[str, str, str, str]]) -> list[str]:
    out = ["| target | figure | result |", "|---|---|---|"]
    for f in figs:
        if f.target:
            out.append(f"| {f.name}: {f.target} | {f.cell(f.median)} | {f.verdict} |")
    out += [f"| {name}: {target} | {figure} | {verdict} |" for name, target, figure, verdict in extra]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 100-set batch, growth up to 10×")
    ap.add_argument("--out", type=Path, default=RESULTS, help="where to write the report (default bench/RESULTS.md)")
    args = ap.parse_args()
    runs = 3 if args.quick else 9
    sets = 100 if args.quick else 1000
    factors = [1, 10] if args.quick else [1, 10, 100]
    students = [10, 50, 100]
    command = "$ .venv/bin/python bench/run.py" + (" --quick" if args.quick else "")
    load_before = loadavg()
    started = _dt.datetime.now().astimezone()
    compiled = bytecode()
    with tempfile.TemporaryDirectory(prefix="keiyaku-bench-") as d:
        tmp = Path(d)
        load_time = library_load()
        print("start-up…", file=sys.stderr)
        s = startup(runs, tmp)
        imports = heavy_imports_at_startup()
        print("in-process…", file=sys.stderr)
        ip, info = in_process(runs)
        print("preview…", file=sys.stderr)
        pv, pv_what = preview(10 if args.quick else 30)
        print(f"batch of {sets}…", file=sys.stderr)
        b, how = batch(sets, tmp)
        print("pledges…", file=sys.stderr)
        pl, pl_lines, pl_checks = pledges(students, 2 if args.quick else 3, tmp)
        print("growth…", file=sys.stderr)
        g, glines = growth(factors, runs, tmp, info)
    elapsed = (_dt.datetime.now().astimezone() - started).total_seconds()
    lines = [
        "# keiyaku benchmark results",
        "",
        "Generated whole by `bench/run.py`; do not edit by hand (the before/after history is kept in bench/history.md).",
        "",
        "```",
        command,
        "```",
        "",
        f"Run {started:%Y-%m-%d %H:%M %Z}, {elapsed:.0f} s; load average before: {load_before}, after: {loadavg()} "
        "(other work on the machine inflates wall times).",
        "",
        *machine(),
        "",
        f"Example: `examples/{EXAMPLE.name}` (model data_provision). Times are wall clock; median, min and max over "
        f"the runs shown, after one warm-up run; {compiled}.",
        "",
        "## Targets",
        "",
        *targets(s + ip + pv + b, pl_checks),
        "",
        "## Command start-up (from the shell, new process each run)",
        "",
        "The two floors are what any Python tool pays on this machine: starting the interpreter, and a bare docxtpl "
        "script rendering the same template with the example's document trees (read from JSON; no review copies, "
        "summary, checks or files).",
        "",
        *table(s),
        "",
        imports,
        "",
        "## In-process (library loaded, templates compiled)",
        "",
        *table(ip),
        "",
        f"The clause library and risk rules (contracts/cache.py): built, validated and compiled in {load_time[0]:.2f} s "
        f"once after a change of the library or of keiyaku ({_loader_name()}); read from the cache in "
        f"{load_time[1] * 1000:.0f} ms by every other process.",
        "",
        "## `keiyaku serve`: one preview update (bench/preview.py)",
        "",
        f"{pv_what}. An update reads the form text into answers, assembles the whole set with its findings and "
        "meaning checks, and draws the form's messages and the preview; each run changes an answer, so nothing "
        "comes from a memo of answers already seen.",
        "",
        *table(pv),
        "",
        "## Batch",
        "",
        how + ". Memory is sampled over the whole process tree: RSS summed is what the target uses; it counts a "
        "page shared by the parent and its forked workers once per process, which PSS does not.",
        "",
        *table(b),
        "",
        "## Many pledges: joint research with 10, 50 and 100 named students",
        "",
        f"`examples/{PLEDGES_EXAMPLE.name}` with `deal.research.students` replaced by n generated entries (one pledge "
        "and its review copy per student), `keiyaku generate` from the shell, each a new process.",
        "",
        *table(pl),
        "",
        *pl_lines,
        "",
        "## How cost grows with the library",
        "",
        "A temporary copy of the real library plus one synthetic document listing the main contract's clauses and "
        "k−1 clones of each (new ids, same text), loaded with `load_library` and assembled repeatedly.",
        "",
        *table(g),
        "",
        *glines,
        "",
    ]
    if HISTORY.exists():
        lines += [HISTORY.read_text(encoding="utf-8").rstrip(), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
