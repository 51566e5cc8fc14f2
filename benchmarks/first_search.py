"""A reader's first search after the web app starts: does it wait for what the index loads?

    python -m benchmarks.first_search --index /tmp/vnsearch-full [--runs 3] [--write]

Starts `python -m search_app --index DIR --workers 1` on a free port, waits until it answers,
then times `/api/search` for a few queries in turn (the first is the one a worker's first reader
makes), and stops it; `--runs` times. Each worker warms up the generation it serves before its
readers (`indexer.warm_up`), so the first search should take about as long as the ones after it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from benchmarks.common import REPO, md_table, program, show_section
from benchmarks.load import free_port

QUERIES = ["ubnd tp hcm", "nghi quyet giao thong", "giá vàng"]  # first: a reader's first search
START_SECONDS = 300  # an index without its Lexicon saved makes one first


def get_seconds(url: str) -> float:
    """The seconds a GET of url takes to answer in full."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=START_SECONDS) as answer:
        answer.read()
    return time.perf_counter() - started


def one_run(index: str) -> list[float]:
    """[seconds until the app answers, then each of QUERIES' search] of one start of the app."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "search_app", "--index", index, "--port", str(port),
                               "--workers", "1"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        # not benchmarks.load.wait_ready: its 0.2 s polls are too coarse for the start-up timed here
        while time.perf_counter() - started < START_SECONDS:
            try:
                get_seconds(f"{base}/")
                break
            except OSError:
                time.sleep(0.05)
        up = time.perf_counter() - started
        return [up] + [get_seconds(f"{base}/api/search?{urllib.parse.urlencode({'q': q})}") for q in QUERIES]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="the index the app serves")
    parser.add_argument("--runs", type=int, default=3, help="starts of the app (default 3)")
    parser.add_argument("--write", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    rows = [[n + 1, *(f"{s * 1000:.0f}" for s in one_run(args.index))] for n in range(args.runs)]
    table = md_table(["run", "answers after (ms)", *(f"`{q}` (ms)" for q in QUERIES)], rows)
    show_section("first_search", "A reader's first search after the app starts",
                 f"`{args.index}`, one worker; a search's time is the whole GET of `/api/search`.\n\n{table}", args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
