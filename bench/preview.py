"""How long one preview update of `keiyaku serve` takes, in-process, for a full set (nothing asserted).

    .venv/bin/python bench/preview.py            # 30 updates after 3 warm-up ones
    .venv/bin/python bench/preview.py --runs 10

An update is what the server does when the page sends a changed answer: read the form text into answers
(contracts.questions.build), assemble the whole set with its findings and meaning checks (contracts.generate.prepare,
contracts.consistency.check_set), and draw the form's messages and the preview (Jinja). Each run changes
deal.deletion.within_days, so no run is answered from the engine's memo of answers already seen. The last line measures the
same through HTTP (the Starlette application with its SQLite store, in-process test client).
Target: < 200 ms per update (docs: issue 14); medians with min and max. bench/run.py calls ``measure`` and writes
the same rows into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "data_provision.yaml"


TARGET = 0.2  # seconds for one update in-process


def timed(fn, runs: int) -> list[float]:
    """Seconds per call of fn(i), i = 0 .. runs-1."""
    out = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def measure(runs: int) -> tuple[str, list[tuple[str, list[float], str]]]:
    """(what was measured, [(measure, seconds per run, note)]): the rows of the table, the in-process update last
    but one and the HTTP update last."""
    import re
    import warnings

    from cli.process import collect_garbage
    from contracts import questions as Q
    from contracts.answers import parse_text
    from contracts.consistency import check_set
    from contracts.generate import prepare
    from contracts.library import default_library
    from contracts.store import Store
    from web import views
    from web.app import App, create_app
    from web.server import warm_up

    warm_up()
    collect_garbage()  # what `keiyaku serve` does after its warm-up
    data = parse_text(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    raw = Q.flatten(data)
    lib = default_library()

    def variant(i: int) -> dict:  # other answers each run (the days to delete the data in, the term): never memoised
        return {**raw, "deal.deletion.within_days": str(1 + i % 365), "deal.term_months": str(24 + i // 365)}

    def build(i):
        return Q.build(variant(i), views.KEEP)

    built = [build(i) for i in range(runs)]

    def core(i):
        answers, docs, _, _ = prepare(built[i].answers)
        check_set(answers, docs, lib)

    prepared = [views.Engine().prepare(b.answers) for b in built]

    def draw(i):
        _, docs, found, checks = prepared[i]
        preview = views.Preview("ok", list(docs), found, checks)
        views.render("_preview.html", preview=preview)

    app = App(Store.open(tempfile.mkdtemp()))
    calls = iter(range(500, 10**6))  # every call its own answers: the engine's memo never answers

    def handler(i):
        _, _, editor, preview = app._state(variant(next(calls)), "deal", None)
        views.render("_preview.html", preview=preview)
        views.render("_fields.html", editor=editor, deal=type("D", (), {"id": 1})())
        views.render("_problems.html", editor=editor, deal=type("D", (), {"id": 1})())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    store = Store.open(tempfile.mkdtemp())
    client = TestClient(create_app(store), base_url="http://127.0.0.1")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)[1]
    deal = store.create(raw, "data_provision")
    state = {"rev": deal.draft_rev}

    def http(i):
        form = {"csrf_token": csrf, "_rev": str(state["rev"]), "_section": "deal", "_sig": "-",
                **{k: v for k, v in variant(i).items() if Q.askable(k)}}
        r = client.post(f"/deals/{deal.id}/answers", data=form, headers={"X-Requested-With": "fetch"})
        assert r.status_code == 200, r.text
        state["rev"] = r.json()["rev"]

    for fn in (build, core, draw, handler):  # warm-up
        for i in range(3):
            fn(i)
    for i in range(3):
        http(i + 1000)
    docs = prepared[0][1]
    articles = sum(len(d.articles) for d in docs)
    what = f"`{EXAMPLE.name}`: {len(docs)} documents, {articles} articles"
    return what, [
        ("form text -> answers (questions.build)", timed(build, runs), ""),
        ("assemble set + findings + checks (prepare, check_set)", timed(core, runs), ""),
        ("draw the preview (Jinja)", timed(draw, runs), ""),
        ("**one update in-process** (all of the above, form and messages)", timed(handler, runs), ""),
        ("one update through HTTP (Starlette, SQLite, test client)", timed(lambda i: http(i + 2000), runs), ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    what, rows = measure(args.runs)
    print(f"keiyaku serve preview update, {what}; {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print("| measure | median | min – max | runs | note |")
    print("|---|---|---|---|---|")
    for name, seconds, note in rows:
        ms = [s * 1000 for s in seconds]
        print(f"| {name} | {statistics.median(ms):.0f} ms | {min(ms):.0f} – {max(ms):.0f} ms | {len(ms)} | {note} |")


if __name__ == "__main__":
    main()
