"""The Lexicon's build cost (issue 13): one build of an index's Lexicon, in memory, in this process.

    python -m benchmarks.lexicon_build INDEX [--save OUT.npz]

Prints the wall and CPU seconds of the build and the process's peak memory (the index opened,
then the Lexicon built from its reader as a generation builds it, not read from a saved one and
not saved in the index). The segments' kept title words, casing votes, title runs and sampled
bodies' runs are read when there, else made and kept beside the segments (see
docs/understanding.md, "What each segment keeps for the model"): the first run on an index
measures the first build, the next ones a build after an update. --save writes the Lexicon to
OUT.npz (to compare two builds). Nothing is written to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from benchmarks.common import program, load_indexer


def main() -> int:
    """Build the Lexicon of an index once and print its cost."""
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--save", metavar="OUT.npz", help="write the Lexicon built to this file")
    args = parser.parse_args()
    indexer = load_indexer()
    from indexer.search import _lexicon_of
    with indexer.open_index(args.index) as index, index._snapshot() as snap:
        wall, cpu = time.perf_counter(), time.process_time()
        lexicon = _lexicon_of(snap.reader)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Lexicon of {args.index}: {wall:.2f} s wall, {cpu:.2f} s CPU; peak RSS {peak:.0f} MB "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.save:
        lexicon.save(Path(args.save))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
