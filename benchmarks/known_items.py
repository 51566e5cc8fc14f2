"""Our engine over one known-item pool, kept between runs, and each query's first right rank per half:
what benchmarks.quality and benchmarks.ranks share (no Tantivy needed)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

BUILT_STAMP = ".built-by"  # in a kept index's folder: what it was built from (see _build_stamp)


class OurEngine:
    """Our index of one pool, built in folder (kept: reused where it holds one of the pool built by
    this analysis version)."""

    def __init__(self, indexer, pool: Path, folder: str, kept: bool = False):
        self.indexer = indexer
        if not kept or not _built_here(pool, Path(folder)):
            _build(indexer, pool, Path(folder))
        self.index = indexer.open_index(folder)

    def search(self, query: str, limit: int = 10) -> list[str]:
        try:
            return [hit.doc_id for hit in self.index.search(query, limit=limit)]
        except self.indexer.QueryError:
            return []

    def close(self):
        close = getattr(self.index, "close", None)
        if close:
            close()


def _build_stamp(pool: Path) -> str:
    """What an index of pool is built from: the analysis version, and the pool file's size and time."""
    from indexer.analysis import ANALYSIS_VERSION
    stat = pool.stat()
    return f"analysis {ANALYSIS_VERSION}, {pool} {stat.st_size} bytes, mtime {int(stat.st_mtime)}\n"


def _built_here(pool: Path, folder: Path) -> bool:
    """Whether folder holds an index of pool built by this analysis version (see _build)."""
    stamp = folder / BUILT_STAMP
    return stamp.exists() and stamp.read_text("utf-8") == _build_stamp(pool)


def _build(indexer, pool: Path, folder: Path) -> None:
    """Our index of pool, built anew in folder and stamped (see _built_here)."""
    shutil.rmtree(folder, ignore_errors=True)
    indexer.build_index([str(pool)], str(folder))
    (folder / BUILT_STAMP).write_text(_build_stamp(pool), "utf-8")


def first_ranks(runs: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, int | None]:
    """qid -> the rank of its first relevant article in its top 10 (None: not there)."""
    return {qid: next((rank for rank, d in enumerate(ranked[:10], 1) if d in qrels.get(qid, ())), None)
            for qid, ranked in runs.items()}


def half(qid: str) -> str:
    """The half of a known-item set a query falls in, by the parity of its id's SHA-1: "tune" (where
    constants are chosen) or "held-out"."""
    return "tune" if int(hashlib.sha1(qid.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "held-out"
