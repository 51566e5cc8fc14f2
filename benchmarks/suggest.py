"""Search as you type: how long `index.suggest(prefix)` takes on a built index (issue 13: p95 <= 20 ms
at the full 179,251 articles).

    python -m benchmarks.suggest --index /tmp/vn179 --write     # ~1 min once the Lexicon is read

Prefixes as a reader types them into the search box: the first 1-3 words of a corpus title (seeded
draw), the last word cut after a random number of its letters, half of them without accents. The
index's Lexicon is made (or read) first and timed apart: the box offers nothing until it is ready.
Each prefix is asked once, in one process (wall time and thread CPU time per call); the load
average is reported, since other work on the machine lengthens wall times.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from benchmarks.common import md_table, percentile, show_section
from benchmarks.load import DEFAULT_CORPUS, corpus_titles

TARGET_P95_MS = 20


def parse_args(argv=None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suggest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="built index (the target is for all 179,251 articles)")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSONL(.gz) the titles come from")
    parser.add_argument("--prefixes", type=int, default=1000, help="prefixes asked (default 1000)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the draw (default 13)")
    parser.add_argument("--write", action="store_true", help="write the 'suggest' section of RESULTS.md")
    return parser.parse_args(argv)


def typed_prefixes(titles: list[str], count: int, seed: int) -> list[str]:
    """count prefixes of titles as typed: 1-3 words, the last one cut, every other one unaccented."""
    from indexer import fold
    rng, prefixes = random.Random(seed), []
    while len(prefixes) < count:
        words = rng.choice(titles).split()[:rng.randint(1, 3)]
        last = words[-1]
        words[-1] = last[:rng.randint(1, len(last))]
        prefix = " ".join(words)
        prefixes.append(fold(prefix) if len(prefixes) % 2 else prefix)
    return prefixes


def timed_calls(index, prefixes: list[str]) -> tuple[list[float], list[float], int]:
    """(wall ms, thread CPU ms) of each index.suggest call, and how many got a completion."""
    wall, cpu, answered = [], [], 0
    for prefix in prefixes:
        started, started_cpu = time.perf_counter(), time.thread_time()
        answered += bool(index.suggest(prefix))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu, answered


def markdown(args, doc_count: int, lexicon_s: float, wall, cpu, answered: int, loads) -> str:
    """The body of the RESULTS.md section."""
    rows = [[name] + [f"{percentile(values, q):.2f}" for q in (50, 95, 99)] + [f"{max(values):.2f}"]
            for name, values in (("wall", wall), ("thread CPU", cpu))]
    p95 = percentile(wall, 95)
    return (f"`index.suggest(prefix)` on {args.index} ({doc_count:,} articles): {len(wall)} prefixes (seed "
            f"{args.seed}: the first 1-3 words of corpus titles, the last one cut, every other one without "
            f"accents), each asked once after the Lexicon was made or read ({lexicon_s:.1f} s); "
            f"{answered} got at least one completion. Load average (1 min) at the start / end: "
            f"{loads[0]:.2f} / {loads[1]:.2f}.\n\n"
            f"{md_table(['ms per call', 'p50', 'p95', 'p99', 'max'], rows)}\n\n"
            f"- wall p95 {p95:.2f} ms <= {TARGET_P95_MS} ms: {'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}\n")


def main(argv=None) -> int:
    """Time the suggestions; print (and with --write, record) the figures."""
    args = parse_args(argv)
    import indexer
    load_start = os.getloadavg()[0]
    prefixes = typed_prefixes(corpus_titles(args.corpus), args.prefixes, args.seed)
    with indexer.open_index(args.index) as index:
        started = time.perf_counter()
        index.lexicon(wait=True)
        lexicon_s = time.perf_counter() - started
        wall, cpu, answered = timed_calls(index, prefixes)
        body = markdown(args, index.doc_count, lexicon_s, wall, cpu, answered, (load_start, os.getloadavg()[0]))
    show_section("suggest", "Search as you type (suggestions)", body, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
