"""keiyaku benchmarks: medians over repeated runs (with min and max), written to bench/RESULTS.md.

    .venv/bin/python bench/run.py            # full run (about 5 minutes on the 2-core reference machine)
    .venv/bin/python bench/run.py --quick    # fewer repeats, 100-set batch, growth up to 10x (about 1 minute)

Nothing here asserts a time: targets are reported next to the figures, never enforced by the test suite.
Wall-clock times on a shared machine are noisy; the load average before and after the run is recorded.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import io
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
RESULTS = ROOT / "bench" / "RESULTS.md"
HISTORY = ROOT / "bench" / "history.md"


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
        verdict = {True: "met", False: "**missed**", None: ""}[self.ok]
        return f"| {self.name} | {self.cell(self.median)} | {spread} | {len(self.samples)} | {self.target} | {verdict} | {self.note} |"


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


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


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
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        f"- nproc: {os.cpu_count()} ({cpu})",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        "- " + ", ".join(f"{p} {version(p)}" for p in pkgs),
        f"- libyaml available to PyYAML: {'yes' if yaml.__with_libyaml__ else 'no'}; HarfBuzz subsetting: {hb}",
    ]


def startup(runs: int, tmp: Path) -> list[Figure]:
    out = tmp / "startup"
    figs = [
        Figure("`keiyaku --help`", shell([KEIYAKU, "--help"], runs), target="< 300 ms"),
        Figure("`keiyaku validate` (example)", shell([KEIYAKU, "validate", str(EXAMPLE)], runs)),
        Figure(
            "`keiyaku generate` (Word set: 3 contracts + 3 review copies + summary)",
            shell([KEIYAKU, "generate", str(EXAMPLE), "--out", str(out / "docx"), "--force"], runs),
            target="< 500 ms",
        ),
        Figure(
            "`keiyaku generate --pdf` (Word set + board packet)",
            shell([KEIYAKU, "generate", str(EXAMPLE), "--out", str(out / "pdf"), "--force", "--pdf"], max(3, runs // 2)),
        ),
    ]
    figs[0].ok = figs[0].median < 0.3
    figs[2].ok = figs[2].median < 0.5
    return figs


def heavy_imports_at_startup() -> str:
    """Which heavy packages `keiyaku --help` imports (python -X importtime), and its import total."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sys; sys.argv=['keiyaku','--help']; from cli.main import main; main()"],
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

    from contracts.answers import load_answers
    from contracts.assembly import assemble
    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.packet import build_packet
    from contracts.render.docx import TEMPLATE, render_docx
    from contracts.render.pdf import render_pdf
    from contracts.render.review import add_review_comments
    from contracts.risk import default_riskbook

    t = time.perf_counter()
    lib, book = default_library(), default_riskbook()
    load_time = time.perf_counter() - t
    answers, documents, found, _ = prepare(load_answers(EXAMPLE), lib, book)
    doc = next((d for d in documents if d.kind == MAIN_DOCUMENT), max(documents, key=lambda d: len(d.articles)))

    assemble_one = lambda: assemble(answers, lib, doc.kind)  # noqa: E731
    clean = render_docx(doc)

    def floor():
        tpl = DocxTemplate(str(TEMPLATE))
        tpl.render({"d": doc}, autoescape=True)
        tpl.save(io.BytesIO())

    def ours():
        render_docx(assemble(answers, lib, doc.kind))

    packet = lambda: render_pdf(build_packet(answers, documents, found, lib, book))  # noqa: E731
    t = time.perf_counter()
    packet()
    first_pdf = time.perf_counter() - t

    a = Figure(f"assemble one document ({doc.title}, {len(doc.articles)} articles)", repeat(assemble_one, runs * 3))
    r = Figure("render one DOCX (clean draft)", repeat(lambda: render_docx(doc), runs * 3))
    rv = Figure("add review comments to it (review copy)", repeat(lambda: add_review_comments(clean, doc, {}), runs * 3))
    fl = Figure("floor: plain docxtpl, same template and tree, saved to a zip", repeat(floor, runs * 3))
    ou = Figure("ours: assemble + render_docx (deterministic zip)", repeat(ours, runs * 3))
    ratio = Figure("ours / floor", [ou.median / fl.median], unit="x", target="≤ 1.5×")
    ratio.ok = ratio.samples[0] <= 1.5
    pdf = Figure("render the board packet PDF (build_packet + WeasyPrint)", repeat(packet, max(3, runs // 2), warmup=0),
                 target="< 2 s", note=f"first call incl. WeasyPrint import: {first_pdf:.2f} s")
    pdf.ok = pdf.median < 2
    info = {"load_time": load_time, "doc": doc, "answers": answers, "lib": lib}
    return [a, r, rv, fl, ou, ratio, pdf], info


class TreeRSS(threading.Thread):
    """Samples the summed RSS of a process and its descendants (every 0.2 s) from /proc."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def _tree(self) -> list[int]:
        kids: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += kids.get(p, [])
        return out

    def run(self):
        while self.running:
            total = 0
            for p in self._tree():
                try:
                    for line in open(f"/proc/{p}/status"):
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.2)


def batch(sets: int, tmp: Path) -> tuple[list[Figure], str]:
    """`keiyaku batch` of N sets (one per CSV row) under /usr/bin/time -v; in-process build_set if it is missing."""
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
    has_batch = subprocess.run([KEIYAKU, "batch", "--help"], capture_output=True).returncode == 0
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    if has_batch:
        cmd = timer + [KEIYAKU, "batch", str(EXAMPLE), str(rows), "--out", str(out)]
        how = f"`keiyaku batch examples/{EXAMPLE.name} <{sets} rows> --out DIR` (default jobs = {os.cpu_count()} workers)"
    else:
        cmd = timer + [sys.executable, __file__, "--batch-worker", str(sets), str(out)]
        how = f"cli/batch.py missing: {sets} sets through contracts.generate.build_set in one process"
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeRSS(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    sampler.running = False
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{err[-3000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    max_rss = int(m.group(1)) * 1024 if m else 0
    files = sum(1 for _ in out.rglob("*.docx"))
    docs = sets * n_docs
    rate = Figure(f"batch: {sets} sets, contract documents per second ({n_docs} contracts per set)", [docs / wall],
                  unit="docs/s", target="≥ 40 docs/s", note=f"{wall:.1f} s wall; {files} .docx files = {files / wall:.0f} files/s")
    rate.ok = rate.samples[0] >= 40
    peak_one = Figure("batch: peak RSS of the largest process (/usr/bin/time -v)", [max_rss / 2**20], unit="MB",
                      target="< 300 MB")
    peak_one.ok = 0 < peak_one.samples[0] < 300
    peak_tree = Figure("batch: peak RSS summed over parent and workers (sampled 5×/s)", [sampler.peak / 2**20],
                       unit="MB", target="< 300 MB")
    peak_tree.ok = peak_tree.samples[0] < 300
    return [rate, peak_one, peak_tree], how


def batch_worker(sets: int, out: Path) -> None:
    from contracts.answers import load_answers
    from contracts.generate import build_set
    from contracts.render.files import plan_outputs, write_all

    base = load_answers(EXAMPLE)
    for i in range(sets):
        answers = base.model_copy(update={"parties": base.parties.model_copy(update={
            "recipient": base.parties.recipient.model_copy(update={"name": f"株式会社ベンチ{i:04d}"})})})
        write_all(plan_outputs(out / f"{i:04d}", build_set(answers).files, False))


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
        samples = repeat(lambda: assemble(answers, lib, "synthetic_big"), max(3, runs // (1 if k < 100 else 2)), warmup=0)
        f = Figure(f"assemble a document of {len(articles)} clauses ({k}× the main contract; {n} articles apply)", samples,
                   note=f"{statistics.median(samples) / n * 1e6:.0f} µs/article; first call {cold:.2f} s; "
                        f"library load {load:.1f} s")
        per_article[k] = statistics.median(samples) / n
        figs.append(f)
    base = per_article[factors[0]]
    lines.append("Time per article relative to 1×: " + ", ".join(f"{k}×: {per_article[k] / base:.2f}" for k in factors)
                 + " (1.00 everywhere = linear).")
    return figs, lines


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 100-set batch, growth up to 10×")
    ap.add_argument("--batch-worker", nargs=2, metavar=("SETS", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=RESULTS, help="where to write the report (default bench/RESULTS.md)")
    args = ap.parse_args()
    if args.batch_worker:
        batch_worker(int(args.batch_worker[0]), Path(args.batch_worker[1]))
        return
    runs = 3 if args.quick else 9
    sets = 100 if args.quick else 1000
    factors = [1, 10] if args.quick else [1, 10, 100]
    command = "$ .venv/bin/python bench/run.py" + (" --quick" if args.quick else "")
    load_before = loadavg()
    started = _dt.datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="keiyaku-bench-") as d:
        tmp = Path(d)
        print("start-up…", file=sys.stderr)
        s = startup(runs, tmp)
        imports = heavy_imports_at_startup()
        print("in-process…", file=sys.stderr)
        ip, info = in_process(runs)
        print(f"batch of {sets}…", file=sys.stderr)
        b, how = batch(sets, tmp)
        print("growth…", file=sys.stderr)
        g, glines = growth(factors, runs, tmp, info)
    elapsed = (_dt.datetime.now().astimezone() - started).total_seconds()
    lines = [
        "# keiyaku benchmark results",
        "",
        "Generated by `bench/run.py`; do not edit by hand (the before/after history is kept in bench/history.md).",
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
        f"Example: `examples/{EXAMPLE.name}` (model data_provision). Times are wall clock; median, min and max over the runs shown, "
        "after one warm-up run.",
        "",
        "## Command start-up (from the shell, new process each run)",
        "",
        *table(s),
        "",
        imports,
        "",
        "## In-process (library loaded, templates compiled)",
        "",
        *table(ip),
        "",
        f"Loading the clause library and risk book once per process: {info['load_time']:.2f} s "
        f"({_loader_name()}).",
        "",
        "## Batch",
        "",
        how + ".",
        "",
        *table(b),
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
