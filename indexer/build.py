"""Build and update the index: parallel analysis, one writer, atomic swap.

Worker processes run pyvi over batches of articles and hand back ready-made postings; the main
process reads the sources and owns the only Whoosh writer. Every build or update writes a new
generation (an update starts from hard links to the live one, whose files Whoosh never
rewrites) and publishes it only after Whoosh's commit, so an interrupted run leaves the live
index as it was.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import whoosh.index

from .articles import Skip, iter_articles
from .schema import build_schema, fingerprint, to_document
from .store import current_generation, new_generation, publish, remove_stale_generations, writer_lock

BATCH = 256
WRITER_MB = 256


@dataclass
class BuildReport:
    """What a build did."""
    indexed: int = 0
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def docs_per_sec(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


@dataclass
class UpdateReport:
    """What an update did."""
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0


_worker_schema = None


def _analyse(article):
    """Worker: the writer's document for an article, or a Skip saying why it failed."""
    global _worker_schema
    if _worker_schema is None:
        _worker_schema = build_schema()
    try:
        return to_document(_worker_schema, article)
    except Exception as e:  # one bad article must not stop the build
        return Skip(article.origin or article.id, f"analysis failed: {type(e).__name__}: {e}")


def _batches(iterable, size):
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch


class Progress:
    """A one-line progress display on a terminal, plain lines every 10 s otherwise."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.started = self.last = time.monotonic()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 10):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        if self.tty:
            bar = "█" * (int(now - self.started) % 20 + 1)
            self.stream.write(f"\r{bar:<20} {done:>9,} articles  {rate:,.0f}/s  {now - self.started:,.0f}s ")
        else:
            self.stream.write(f"indexed {done:,} articles, {rate:,.0f}/s\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _analysed_documents(pool, articles, on_skip):
    """Analyse articles in the pool, one batch ahead of the writer; yield documents in order."""
    pending = None
    for batch in _batches(articles, BATCH):
        submitted = pool.map_async(_analyse, batch, chunksize=8)
        if pending is not None:
            yield from _documents(pending.get(), on_skip)
        pending = submitted
    if pending is not None:
        yield from _documents(pending.get(), on_skip)


def _documents(results, on_skip):
    for result in results:
        if isinstance(result, Skip):
            on_skip(result)
        else:
            yield result


def _pool(procs):
    return multiprocessing.get_context("fork").Pool(procs or os.cpu_count() or 1)


@contextmanager
def _next_generation(index_dir: Path):
    """A new generation folder, published if the block completes, deleted if it fails."""
    remove_stale_generations(index_dir)
    gen = new_generation(index_dir)
    try:
        yield gen
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    publish(index_dir, gen)
    remove_stale_generations(index_dir)


def build_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print) -> BuildReport:
    """Index the articles in sources into a fresh generation of index_dir, then swap it in."""
    index_dir = Path(index_dir)
    report, started = BuildReport(), time.monotonic()
    articles = iter_articles([Path(s) for s in sources], report.skipped)
    with writer_lock(index_dir, notice), _next_generation(index_dir) as gen:
        report.indexed = _write_fresh(gen, articles, report.skipped, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _write_fresh(gen: Path, articles, skipped, procs, progress) -> int:
    ix = whoosh.index.create_in(str(gen), build_schema())
    writer = ix.writer(limitmb=WRITER_MB)
    count = 0
    try:
        with _pool(procs) as pool:
            for doc in _analysed_documents(pool, articles, skipped.append):
                writer.add_document(**doc)
                count += 1
                if progress:
                    progress(count)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return count


def _link_copy(src: Path, dst: Path) -> None:
    """Copy a generation's files to dst as hard links (Whoosh never rewrites a file)."""
    for path in src.iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            os.link(path, dst / path.name)


def _existing(reader) -> dict[str, tuple[str, str]]:
    """id -> (fingerprint, origin) of every live document, read from the columns."""
    ids, fps, origins = (reader.column_reader(name) for name in ("id", "fingerprint", "origin"))
    return {ids[n]: (fps[n], origins[n]) for n in range(reader.doc_count_all())
            if not reader.is_deleted(n)}


def _covers(sources: list[Path], origin: str) -> bool:
    """Whether an article's origin file lies in one of the sources given to update."""
    paths = {origin, os.path.realpath(origin)}
    return any(p == str(s) or p.startswith(str(s) + os.sep) for s in sources for p in paths)


def update_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print) -> UpdateReport:
    """Add new and changed articles from sources, remove those gone from them, then swap in."""
    index_dir = Path(index_dir)
    sources = [Path(s).resolve() for s in sources]
    report, started = UpdateReport(), time.monotonic()
    with writer_lock(index_dir, notice):
        live = current_generation(index_dir)
        with _next_generation(index_dir) as gen:
            _link_copy(live, gen)
            _apply_update(gen, sources, report, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _apply_update(gen: Path, sources, report: UpdateReport, procs, progress) -> None:
    ix = whoosh.index.open_dir(str(gen))
    with ix.reader() as reader:
        existing = _existing(reader)
    seen, changed = set(), []
    for article in iter_articles(sources, report.skipped):
        seen.add(article.id)
        old = existing.get(article.id)
        if old is not None and old[0] == fingerprint(article):
            report.unchanged += 1
        else:
            changed.append(article)
    writer = ix.writer(limitmb=WRITER_MB)
    try:
        _write_changes(writer, changed, existing, report, procs, progress)
        for doc_id, (_, origin) in existing.items():
            if doc_id not in seen and _covers(sources, origin):
                writer.delete_by_term("id", doc_id)
                report.removed += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def _write_changes(writer, changed, existing, report, procs, progress) -> None:
    with _pool(procs) as pool:
        for doc in _analysed_documents(pool, changed, report.skipped.append):
            if doc["id"] in existing:
                writer.update_document(**doc)
                report.updated += 1
            else:
                writer.add_document(**doc)
                report.added += 1
            if progress:
                progress(report.added + report.updated)
