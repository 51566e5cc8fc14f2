"""What a build worker holds after each spill, over a long build (issue 10).

    python -m benchmarks.worker_memory                  # one worker's share of the whole corpus
    python -m benchmarks.worker_memory --articles 30000 --run-postings 2000000

One segment-writing worker's job, in this process: every other batch of the corpus (a worker's
share in a two-worker build), analysed and written as `indexer.build_index` does with
`procs=0`. After each spill (its pool emptied) it prints the process's RSS and the sizes of the
analysis caches, which grow with the vocabulary up to their caps; at the end, the peak disk use
of the index folder (allocated blocks). A worker whose memory does not grow with the build holds
the same after every spill once the caches are full.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import threading
import time
from itertools import count

from benchmarks.common import program, corpus_paths, load_indexer, md_table
from benchmarks.indexing import dir_size, resident_bytes

MiB = 2 ** 20


def cache_sizes() -> dict[str, int]:
    """Entries in the analysis caches that grow with the vocabulary (each has a cap)."""
    from indexer import analysis, duplicates, segmenter
    table = segmenter._LOADED.get("table")
    return {"canonical": analysis.canonical.cache_info().currsize,
            "fold_word": analysis.fold_word.cache_info().currsize, "pyvi tokens": len(table.index) if table else 0, "SimHash CRCs": len(duplicates._crc32)}


def every_other_batch(batch: int):
    """A select(id) that keeps every other run of `batch` articles (a worker's share of two)."""
    seen = count()
    return lambda doc_id: next(seen) // batch % 2 == 0


def measured_spills(indexer, rows: list, started: float):
    """Wrap the spilling writer's spill to append a row (spill, articles, CPU s, RSS MiB, caches) after each."""
    spill = indexer.storage.SpillingWriter.spill

    def measured(writer):
        spill(writer)
        gc.collect()
        rows.append([len(rows) + 1, f"{writer.docnum:,}", f"{time.process_time() - started:.0f}",
                     f"{resident_bytes() / MiB:.0f}", *(f"{n:,}" for n in cache_sizes().values())])
        print(" | ".join(map(str, rows[-1])), flush=True)
    indexer.storage.SpillingWriter.spill = measured


class DiskPeak(threading.Thread):
    """Polls the disk blocks a folder's files take every 0.2 s (.peak)."""

    def __init__(self, folder: str):
        super().__init__(daemon=True)
        self.folder, self.peak, self.done = folder, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, dir_size(self.folder, allocated=True))
            self.done.wait(0.2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=0, help="stop after this many (default: all)")
    parser.add_argument("--run-postings", type=int, help="spill threshold (default: the build's)")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    from indexer import build
    build.RUN_POSTINGS = args.run_postings or build.RUN_POSTINGS
    rows, started = [], time.process_time()
    measured_spills(indexer, rows, started)
    with tempfile.TemporaryDirectory(prefix="vnsearch-worker-") as folder:
        disk = DiskPeak(folder)
        disk.start()
        report = indexer.build_index(corpus_paths(), folder, procs=0, select=_limited(
            every_other_batch(build.WORKER_BATCH), args.articles), notice=lambda message: None)
        disk.done.set()
    print(md_table(["spill", "articles", "CPU s", "RSS MiB", *cache_sizes()], rows))
    print(f"{report.indexed:,} articles in {report.seconds:.0f} s (RUN_POSTINGS {build.RUN_POSTINGS:,}); "
          f"peak disk use {disk.peak / MiB:.0f} MiB")
    return 0


def _limited(select, limit: int):
    """select, refusing every article once `limit` were accepted (0: no limit)."""
    accepted = count(1)
    return lambda doc_id: select(doc_id) and (not limit or next(accepted) <= limit)


if __name__ == "__main__":
    raise SystemExit(main())
