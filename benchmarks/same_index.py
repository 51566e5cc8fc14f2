"""Whether two indexes hold the same content: every segment's files byte for byte.

    python -m benchmarks.same_index INDEX_A INDEX_B

Segments are paired in the order of their live generations' tables of contents (a build deals
batches to its workers in turn, so the same sources and worker count give the same segments);
each segment's files (flat postings and term tables, Whoosh's terms, postings, columns and
stored fields) are compared by their name after the segment id. Checks that a change to the
build leaves what is indexed as it was. Exit 0 when identical, 1 with the differences listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.store import current_generation
from benchmarks.common import program


def segment_files(index_dir: str) -> list[dict[str, bytes]]:
    """Each segment of the live generation, in order: {file name after the segment id: content}."""
    gen = current_generation(Path(index_dir))
    storage = FileStorage(str(gen))
    toc = TOC.read(storage, "MAIN")
    segments = []
    for segment in toc.segments:
        prefix = segment.make_filename("")
        segments.append({p.name[len(prefix):]: p.read_bytes() for p in sorted(gen.iterdir())
                         if p.name.startswith(prefix)})
    return segments


def differences(a: str, b: str) -> list[str]:
    """What differs between the indexes a and b (empty: the same content)."""
    left, right = segment_files(a), segment_files(b)
    if len(left) != len(right):
        return [f"{len(left)} segments against {len(right)}"]
    found = []
    for n, (x, y) in enumerate(zip(left, right)):
        if x.keys() != y.keys():
            found.append(f"segment {n}: files {sorted(x.keys() ^ y.keys())} in one only")
        found += [f"segment {n}: {name} differs ({len(x[name])} / {len(y[name])} bytes)"
                  for name in sorted(x.keys() & y.keys()) if x[name] != y[name]]
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("first")
    parser.add_argument("second")
    args = parser.parse_args(argv)
    found = differences(args.first, args.second)
    print("\n".join(found) if found else "identical: every segment's files are the same")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
