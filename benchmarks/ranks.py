"""Known-item first ranks per half, and what moved between two runs (files of benchmarks.quality --ranks).

    python -m benchmarks.quality --engines ours --variants orig noaccent mixed --keep /tmp/dq --ranks main.json
    python -m benchmarks.ranks main.json                # MRR@10 of each set and variant, tune and held-out halves
    python -m benchmarks.ranks main.json branch.json    # the same side by side, and every query that moved

Constants are chosen on the tune half of each known-item set (benchmarks.known_items.half: the parity of
the query id's SHA-1) and reported on both; a change is judged by the sums over the rows of the tune
half, by its rows, and by the queries it moved, whose texts say why. The short-query set's rows
(short/...) are listed apart and not summed; a changed top 10 of theirs is counted too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.common import md_table, program
from benchmarks.known_items import half

HALVES = ("tune", "held-out")
SHORT = "short/"


def read_ranks(path: str, engine: str) -> dict[str, dict]:
    """"set/variant" -> {"ranks": qid -> first right rank or None, "tops": qid -> top 10} of one engine."""
    try:
        runs = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"{path}: not a file of benchmarks.quality --ranks ({error})")
    if engine not in runs:
        raise SystemExit(f"{path} holds no ranks of engine {engine!r} (it has: {', '.join(runs) or 'none'})")
    return runs[engine]


def mrr_by_half(ranks: dict[str, int | None]) -> dict[str, float]:
    """half -> MRR@10 of the queries of ranks (qid -> first right rank or None) in that half."""
    parts = {h: [1 / r if r else 0.0 for qid, r in ranks.items() if half(qid) == h] for h in HALVES}
    return {h: sum(values) / len(values) if values else 0.0 for h, values in parts.items()}


def rows_of(runs: list[dict[str, dict]]) -> list[list[str]]:
    """One row per set and variant of the first run: each run's MRR@10 per half ("-" where a run lacks
    it); last, each run's sums over the known-item rows every run holds."""
    rows, sums = [], [[0.0, 0.0] for _ in runs]
    for key in runs[0]:
        by_run = [mrr_by_half(run[key]["ranks"]) if key in run else None for run in runs]
        rows.append([key, *(f"{m[h]:.4f}" if m else "-" for m in by_run for h in HALVES)])
        if not key.startswith(SHORT) and all(by_run):
            sums = [[s + m[h] for s, h in zip(pair, HALVES)] for pair, m in zip(sums, by_run)]
    return rows + [["sum of the known-item rows all runs hold", *(f"{s:.4f}" for pair in sums for s in pair)]]


def moved(before: dict[str, dict], after: dict[str, dict]) -> list[list[str]]:
    """[set/variant, qid, half, rank before, rank after] of every query whose first right rank changed."""
    rows = []
    for key, run in before.items():
        later = after.get(key, {}).get("ranks", {})
        rows += [[key, qid, half(qid), str(rank or "-"), str(later.get(qid) or "-")]
                 for qid, rank in run["ranks"].items() if qid in later and later[qid] != rank]
    return rows


def tops_changed(before: dict[str, dict], after: dict[str, dict]) -> dict[str, int]:
    """set/variant -> how many of its queries' top 10s differ between the two runs."""
    return {key: sum(top != after[key]["tops"].get(qid) for qid, top in run["tops"].items())
            for key, run in before.items() if key in after}


def report(paths: list[str], engine: str) -> str:
    """The tables comparing the runs in paths (one or two files of benchmarks.quality --ranks)."""
    runs = [read_ranks(path, engine) for path in paths]
    header = ["set/variant", *(f"{Path(p).name} {h}" for p in paths for h in HALVES)]
    text = f"MRR@10 of {engine}, per half (benchmarks.known_items.half):\n\n" + md_table(header, rows_of(runs))
    if len(runs) == 2:
        changed = tops_changed(*runs)
        text += ("\n\nTop 10s changed: " + ", ".join(f"{key} {n}" for key, n in changed.items()) + "\n\n"
                 + "First right ranks moved:\n\n"
                 + md_table(["set/variant", "qid", "half", "before", "after"], moved(*runs) or [["none"] * 5]))
    return text


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", metavar="RANKS.json", help="one or two files of benchmarks.quality --ranks")
    parser.add_argument("--engine", default="ours", help="whose ranks (default: ours)")
    args = parser.parse_args(argv)
    if len(args.runs) > 2:
        parser.error("give one run, or two to compare")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(report(args.runs, args.engine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
