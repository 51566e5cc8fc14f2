"""Run every benchmark in order, each writing its own section of benchmarks/RESULTS.md.

    python -m benchmarks.run_all              # or: python -m benchmarks
    python -m benchmarks.run_all --skip-full  # without the whole-corpus build (and so without
                                              # search_speed unless the full index exists)
    python -m benchmarks.run_all --full-dir DIR

Order: quality, understand (issue 13), indexing (5,000 articles, then the whole corpus),
search_speed, facets, suggest, first_search, profile, updates.
Each runs in its own process; a failure is reported and the others still run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from benchmarks.common import program, REPO, require_shared, timer

DEFAULT_FULL_DIR = "/tmp/vnsearch-full"


def steps(full_dir: str, skip_full: bool) -> list[list[str]]:
    indexing = ["indexing", "--full-dir", full_dir] + (["--skip-full"] if skip_full else [])
    plan = [["quality"], ["understand", "--write"], indexing]
    if not skip_full or Path(full_dir).exists():
        plan.append(["search_speed", "--full-dir", full_dir])
        plan.append(["facets", "--full-dir", full_dir])
        plan.append(["suggest", "--index", full_dir, "--write"])
        plan.append(["first_search", "--index", full_dir, "--write"])
    plan.append(["profile", "--full-dir", full_dir])
    plan.append(["updates"])
    return plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--full-dir", default=DEFAULT_FULL_DIR)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args(argv)
    require_shared("eval")
    failed = []
    for name, *options in steps(args.full_dir, args.skip_full):
        command = [sys.executable, "-m", f"benchmarks.{name}", *options]
        print(f"\n### {' '.join(command[1:])}", flush=True)
        with timer() as t:
            code = subprocess.call(command, cwd=REPO)
        print(f"### {name}: exit {code} after {t.seconds:.0f} s", flush=True)
        if code:
            failed.append(name)
    print("\nall benchmarks done" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
