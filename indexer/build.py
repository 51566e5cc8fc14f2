"""Build and update the index: parallel analysis and writing, atomic swap.

A build or update reads the sources in the main process and deals batches of articles to
worker processes; each worker runs pyvi and writes its own segment (spilling sorted runs of postings
to bound its memory, merged into the segment at the end), and the main process, which
holds the writer lock, applies an update's deletions and publishes the workers' segments
together. Every build, update or merge writes a new generation (an update or merge starts from
hard links to the live one, whose files are never rewritten) and publishes it when complete, so
an interrupted run leaves the live index as it was. After an update, the tiered merge policy
(``indexer.storage.merge``) may merge segments into one more generation. A delete records the ids
it removed in its generation's list of retracted articles (``store.RETRACTED``, carried by every
later generation), which builds and updates keep out until a restore lifts them.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import queue
import shutil
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

from . import segmenter, storage
from .articles import (EMPTY_FILE, Replaced, Skip, Truncated, Undated, file_recency, is_article_file, is_jsonl_file,
                       iter_articles, source_bytes)
from .schema import same_content, to_document
from .storage import segment_writer
from .store import (CURRENT, DERIVED_PREFIX, GENERATION_MARK, GROUPS_FILE, LEXICON_BEFORE, LEXICON_FILE, MERGED_FROM,
                    SHARDED, IndexNotFound, NoIndex, NotAnIndexFolder, current_generation, generation_folders,
                    holds_index, is_sharded, new_generation, publish, refuse_foreign_folder, refuse_shard_folder,
                    remove_stale_generations, retracted_in, write_retracted, writer_lock)

WORKER_BATCH = 64  # articles per task handed to a segment-writing worker (build)
RUN_POSTINGS = 8_000_000  # a worker spills its pooled text postings to a sorted run past this many (~12k articles)
SEGMENT_POSTINGS = 64_000_000  # ... and starts a new segment past this many (~95k articles: one per worker at 179k)
WORKER_NICENESS = 10  # segment workers yield the cores to a server searching beside them (rebuilds under load)


@dataclass
class ReadReport:
    """What reading the sources left out or changed, in a build or an update."""
    skipped: list[Skip] = field(default_factory=list)
    truncated: list[Truncated] = field(default_factory=list)  # indexed in part, stored whole
    undated: list[Undated] = field(default_factory=list)  # indexed without the date they gave, unread
    ignored: Counter = field(default_factory=Counter)  # files in the folders that hold no articles, by extension
    replaced: list[Replaced] = field(default_factory=list)  # JSONL records a later one of the same id replaced
    retracted: list[str] = field(default_factory=list)  # ids of the sources' articles kept out: a delete retracted them
    seconds: float = 0.0


@dataclass
class BuildReport(ReadReport):
    """What a build did."""
    indexed: int = 0

    @property
    def docs_per_sec(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


@dataclass
class UpdateReport(ReadReport):
    """What an update did."""
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: int = 0  # not read, yet not removed: their file (or folder) was not read whole
    kept_empty: Counter = field(default_factory=Counter)  # of those, in empty files: articles kept by file
    # records replaced by a later one of their id whose article this update did not write: the
    # replacement was in force already (replaced: those of the articles it wrote, or tried to)
    replaced_before: list[Replaced] = field(default_factory=list)


def _analyse(article):
    """Worker: the writer's document for an article, or a Skip saying why it failed."""
    try:
        return to_document(article)
    except Exception as e:  # one bad article must not stop the build
        return Skip(article.where or article.origin or article.id, f"analysis failed: {type(e).__name__}: {e}")


def _batches(iterable, size):
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch




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


def _read_articles(sources, report, progress, select=None):
    """iter_articles over sources (those whose id select accepts, if given), telling progress
    (an indexer.progress.Progress) the bytes read."""
    notes = {"undated": report.undated, "ignored": report.ignored, "replaced": report.replaced}
    if progress is None or not hasattr(progress, "read"):
        articles = iter_articles(sources, report.skipped, report.truncated, **notes)
    else:
        articles = iter_articles(sources, report.skipped, report.truncated, progress.read, **notes)
        progress.expect(source_bytes(sources))
    return articles if select is None else (a for a in articles if select(a.id))


def kept_out(articles, retracted: dict, report: ReadReport):
    """The articles whose ids are not retracted; the others' ids go to report.retracted, and the
    notes on them (truncated, undated, replaced) are dropped once all are read: they are not indexed."""
    wheres = set()
    for article in articles:
        if article.id not in retracted:
            yield article
            continue
        report.retracted.append(article.id)
        wheres.add(article.where)
    if wheres:
        report.truncated[:] = [note for note in report.truncated if note.where not in wheres]
        report.undated[:] = [note for note in report.undated if note.where not in wheres]
        report.replaced[:] = [note for note in report.replaced if note.id not in retracted]


def as_list(items) -> list:
    """items as a list: one str or path is one source (or id), not its characters."""
    return [items] if isinstance(items, (str, os.PathLike)) else list(items)


def as_given(sources) -> list[Path]:
    """The sources as the caller named them (relative ones relative): what reading them names
    their files by in skips and warnings, and the folder names text files' ids begin with."""
    return [Path(s) for s in as_list(sources)]


def build_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print,
                select=None) -> BuildReport:
    """Index the articles in sources into a fresh generation of index_dir, then swap it in.

    progress, if given, is called with the number of articles indexed so far; an
    indexer.progress.Progress also shows the share of the input read and the time left.
    procs=0 analyses in this process; select(id), if given, picks the articles (a shard's)."""
    index_dir = Path(index_dir)
    _refuse_sharded(index_dir, "build")
    refuse_shard_folder(index_dir, "build")  # its articles would not all hash to that shard
    refuse_foreign_folder(index_dir, is_article_file)
    report, started = BuildReport(), time.monotonic()
    articles = _read_articles(as_given(sources), report, progress, select)
    with writer_lock(index_dir, notice):
        retracted = _retracted_before(index_dir, notice)  # before a new generation clears the old ones
        with _next_generation(index_dir) as gen:
            write_retracted(gen, retracted)  # a build keeps the folder's retractions
            report.indexed = _write_fresh(gen, kept_out(articles, retracted, report), report.skipped, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _retracted_before(index_dir: Path, notice) -> dict[str, str]:
    """The ids retracted in the index the folder holds; when its CURRENT cannot be read (damaged, missing,
    naming no generation), those any of its generation folders lists, saying so: a build never lets them
    back (a killed delete's ids too: one kept out too many is listed, and restored by id; one let back is not)."""
    if holds_index(index_dir):
        return retracted_in(current_generation(index_dir))
    lists = {gen.name: retracted_in(gen) for gen in generation_folders(index_dir)}
    found = {i: when for listed in lists.values() for i, when in listed.items()}  # the newest generation's when
    if found:
        named = ", ".join(name for name, listed in lists.items() if listed)
        ids, verb, them = ("1 id", "stays", "it") if len(found) == 1 else (f"{len(found):,} ids", "stay", "them")
        notice(f"{index_dir}/{CURRENT} is missing or names no generation: the {ids} retracted in {named} {verb} "
               f"retracted (python -m indexer retracted --index {index_dir} lists {them})")
    return found


def _write_fresh(gen: Path, articles, skipped, procs, progress) -> int:
    ix = storage.create(gen)
    count, segments, _ = _write_segments(gen, _batches(articles, WORKER_BATCH), skipped, _workers(procs), progress)
    storage.commit(ix, segments)
    return count


def _refuse_sharded(index_dir: Path, command: str) -> None:
    """Raise for a sharded index_dir (a build: NotAnIndexFolder, an update: IndexNotFound of kind
    SHARDED): written here, an index would stand beside the shards, and nothing searches it."""
    if not is_sharded(index_dir):
        return
    message = f"{index_dir} holds a sharded index: {command} it on a Dask cluster (--cluster ADDRESS"
    if command == "build":
        raise NotAnIndexFolder(message + " --shards N)")
    raise IndexNotFound(message + ")", NoIndex(SHARDED))


class WorkerFailed(RuntimeError):
    """A segment-writing worker process failed or died."""


def _exit_with(parent: int) -> None:
    """Worker thread: end the worker once the main process, which holds the index lock, is gone,
    whatever the worker is doing (a task the main process died sending is never complete)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


@dataclass(frozen=True)
class _Merge:
    """A task for a segment worker: merge these segments of its generation (numbered as by its reader)."""
    group: tuple[int, ...]


def _segment_worker(n: int, gen: str, tasks, results, parent: int, analyse: bool) -> None:
    """Worker n: analyse batches of articles into a segment of its own, or merge groups of segments
    into one each; report counts, skips, segments."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides how to stop
    os.nice(WORKER_NICENESS)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        if analyse:  # while the main process reads the first articles
            segmenter.preload()
        batches = iter(tasks.get, None)
        segments = _write_batches(Path(gen), batches, lambda *report: results.put(("batch", n, *report)))
        results.put(("segments", n, 0, segments))
    except BaseException as e:
        results.put(("error", n, 0, f"{type(e).__name__}: {e}"))


def _write_batches(gen: Path, tasks, report) -> list:
    """Analyse batches of articles into segments of gen (report(indexed, (skips, failed ids)) after
    each) and merge _Merge groups; the segments written."""
    ix, segments = storage.open_files(gen), []
    writer = segment_writer(ix)
    for batch in tasks:
        if isinstance(batch, _Merge):
            segments.append(storage.merge_group(ix, batch.group))
            continue
        docs = [_analyse(article) for article in batch]
        failed = [a.id for a, d in zip(batch, docs) if isinstance(d, Skip)]
        for doc in docs:
            if not isinstance(doc, Skip):
                writer.add_document(**doc)
        report(len(docs) - len(failed), ([d for d in docs if isinstance(d, Skip)], failed))
        if writer.postings > SEGMENT_POSTINGS:
            segments.append(_finished(gen, writer))
            writer = segment_writer(ix)
        elif writer.pool.postings > RUN_POSTINGS:  # bounds the worker's memory
            _spill(gen, writer)
    segments.append(_finished(gen, writer))
    return [s for s in segments if s is not None]


def _finished(gen: Path, writer):
    """writer's segment, its runs merged; its last spill is a memory peak, so one worker at a time."""
    with _one_worker_at_a_time(gen):
        writer.spill_rest()
    return writer.finish_segment()


def _spill(gen: Path, writer) -> None:
    """Spill writer's pool to a run unless another worker is at its memory peak (then go on adding
    documents and try after the next batch), or wait for it once the pool is half as large again."""
    with _one_worker_at_a_time(gen, wait=writer.pool.postings > RUN_POSTINGS * 3 // 2) as mine:
        if mine:
            writer.spill()


@contextmanager
def _one_worker_at_a_time(gen: Path, wait: bool = True):
    """Hold an exclusive lock on the generation's folder (across processes; released on exit or kill);
    yields whether this worker holds it (always, if wait)."""
    fd = os.open(gen, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)


class _Workers:
    """Segment-writing worker processes, a task queue each, and what they report.

    Batches go to the workers in turn, so the same sources and worker count always give the
    same document numbers (and the same order among equal scores). Each worker starts with its
    first task, so an update that analyses nothing forks none and a small one forks one."""

    def __init__(self, gen: Path, procs: int, skipped, progress, analyse: bool = True):
        ctx = multiprocessing.get_context("fork")
        self.tasks, self.results = [ctx.Queue(2) for _ in range(procs)], ctx.Queue()
        self.procs = [ctx.Process(target=_segment_worker, daemon=True,
                                  args=(n, str(gen), self.tasks[n], self.results, os.getpid(), analyse))
                      for n in range(procs)]
        self.skipped, self.progress = skipped, progress
        self.count, self.segments = 0, [None] * procs  # worker n's segments, once it reports them
        self.failed: list[str] = []  # ids of the articles whose analysis failed

    def _started(self) -> list[int]:
        return [n for n, proc in enumerate(self.procs) if proc.pid is not None]

    def give(self, n: int, task) -> None:
        """Queue a task (a batch, or None: finish) for worker n, handling reports while waiting."""
        if self.procs[n].pid is None:
            self.procs[n].start()
        while True:
            try:
                return self.tasks[n].put(task, timeout=0.2)
            except queue.Full:
                self.collect(timeout=0)

    def collect(self, timeout: float) -> None:
        """Handle the workers' reports; fail if a worker reported an error or died."""
        try:
            while True:
                self._handle(*self.results.get(timeout=timeout))
                timeout = 0
        except queue.Empty:
            pass
        if any(self.procs[n].exitcode not in (None, 0) for n in self._started()):
            raise WorkerFailed("an indexing worker process died (out of memory?)")

    def _handle(self, kind: str, n: int, count: int, payload) -> None:
        if kind == "error":
            raise WorkerFailed(f"an indexing worker failed: {payload}")
        if kind == "segments":
            self.segments[n] = payload
            return
        self.count += count
        self.skipped.extend(payload[0])
        self.failed.extend(payload[1])
        if self.progress:
            self.progress(self.count)

    def finish(self) -> tuple[int, list, list[str]]:
        """Tell every started worker to finish; (articles indexed, segments, ids whose analysis failed)."""
        started = self._started()
        for n in started:
            self.give(n, None)
        while any(self.segments[n] is None for n in started):
            self.collect(timeout=0.5)
        for n in started:
            self.procs[n].join()
        return self.count, [s for n in started for s in self.segments[n]], self.failed

    def stop(self) -> None:
        for n in self._started():
            if self.procs[n].is_alive():
                self.procs[n].kill()
            self.procs[n].join()
        for q in (*self.tasks, self.results):  # batches no worker will read must not block our exit
            q.cancel_join_thread()


def _write_segments(gen: Path, tasks, skipped, procs: int, progress, analyse: bool = True) -> tuple[int, list, list[str]]:
    """Run tasks (batches of articles, or _Merge groups when not analyse) on procs segment-writing
    workers in turn, or in this process when procs is 0 (see _Workers.finish)."""
    if procs == 0:
        return _write_here(gen, tasks, skipped, progress)
    workers = _Workers(gen, procs, skipped, progress, analyse)
    try:
        for i, task in enumerate(tasks):
            workers.give(i % procs, task)
            workers.collect(timeout=0)
        return workers.finish()
    finally:
        workers.stop()


def _write_here(gen: Path, tasks, skipped, progress) -> tuple[int, list, list[str]]:
    """Run tasks in this process (a cluster worker's task, which may not start processes)."""
    count, failed = 0, []

    def report(indexed: int, payload) -> None:
        nonlocal count
        count += indexed
        skipped.extend(payload[0])
        failed.extend(payload[1])
        if progress:
            progress(count)

    segments = _write_batches(gen, tasks, report)
    return count, segments, failed


def _workers(procs: int | None) -> int:
    """The segment workers to run: procs, or one per core when it is None."""
    return os.cpu_count() or 1 if procs is None else procs


@contextmanager
def _changed_generation(index_dir: Path, live: Path):
    """_next_generation starting as live's files (hard links) and the newest Lexicon saved before
    it, for an update or a delete to change."""
    with _next_generation(index_dir) as gen:
        _link_copy(live, gen)
        _link_lexicon_before(live, gen)
        yield gen


def _link_copy(src: Path, dst: Path, keep: tuple[str, ...] = ()) -> None:
    """Copy a generation's files to dst as hard links (segment files are never rewritten);
    of what was derived from them, only the files named in keep (others dst computes anew)."""
    for path in src.iterdir():
        if path.is_file() and not path.name.endswith("LOCK") and path.name != GENERATION_MARK and (
                not path.name.startswith(DERIVED_PREFIX) or path.name in keep):
            os.link(path, dst / path.name)


def _link_same_articles(live: Path, gen: Path, keep: tuple[str, ...]) -> None:
    """Start gen as live's files (and of the derived ones, those named in keep) for a change that
    keeps the same live articles (a merge, a restore): an open index takes live's Lexicon for it."""
    _link_copy(live, gen, keep)
    (gen / MERGED_FROM).write_text(live.name, encoding="ascii")


def _link_lexicon_before(live: Path, gen: Path) -> None:
    """Link into an update's generation the newest Lexicon saved of live's or one before it:
    processes opening gen answer with it until gen's own is saved."""
    for name in (LEXICON_FILE, LEXICON_BEFORE):
        if (live / name).exists():
            os.link(live / name, gen / LEXICON_BEFORE)
            return


def _covers(within: list[Path], origin: str) -> bool:
    """Whether an article's origin file lies in one of the sources given to update (within: their
    real paths, as resolved once)."""
    paths = {origin, os.path.realpath(origin)}
    return any(p == str(s) or p.startswith(str(s) + os.sep) for s in within for p in paths)


def _read_elsewhere(within: list[Path], origin: str) -> bool:
    """Whether an indexed article came from a file outside the sources (within: their real paths)
    that still exists."""
    return not _covers(within, origin) and os.path.exists(origin)


def update_index(sources, index_dir="index_data", *, procs=None, progress=None, notice=print,
                 select=None) -> UpdateReport:
    """Add new and changed articles from sources, remove those gone from them, swap in, merge
    (procs and select as for build_index)."""
    index_dir = Path(index_dir)
    _refuse_sharded(index_dir, "update")
    refuse_shard_folder(index_dir, "update")
    return update_in_folder(sources, index_dir, procs=procs, progress=progress, notice=notice, select=select)


def update_in_folder(sources, index_dir: Path, *, procs=None, progress=None, notice=print,
                     select=None) -> UpdateReport:
    """update_index in one index's folder (a shard's: its articles selected, with its sharded index's
    writer lock held)."""
    sources = as_given(sources)
    report, started = UpdateReport(), time.monotonic()
    current_generation(index_dir)  # IndexNotFound before the lock would create the folder
    with writer_lock(index_dir, notice, "update"):
        live = current_generation(index_dir)
        try:
            with _changed_generation(index_dir, live) as gen:
                if not _apply_update(gen, sources, report, _workers(procs), progress, select):
                    raise _NothingChanged  # the live generation stays: no swap, no new Lexicon
        except _NothingChanged:
            pass
        report.seconds = time.monotonic() - started  # searchable from here on
        _merge_after(index_dir, _workers(procs), "update")
    return report


@dataclass
class DeleteReport:
    """What a delete did."""
    deleted: int = 0
    skipped: list[Skip] = field(default_factory=list)  # ids that no article of the index has
    seconds: float = 0.0


@dataclass
class RestoreReport:
    """What a restore did."""
    restored: int = 0  # retractions lifted
    skipped: list[Skip] = field(default_factory=list)  # ids not retracted
    seconds: float = 0.0


NOT_FOUND = "no article of the index has this id"
NOT_RETRACTED = "not retracted (no delete recorded this id)"


def delete_articles(ids, index_dir="index_data", *, procs=None, notice=print) -> DeleteReport:
    """Remove the articles with these ids from the index and retract them, in a new generation swapped
    in and merged as after an update (procs as for update_index): builds and updates keep them out
    until restore_articles lifts that. A sharded index's articles are removed from their shards' folders."""
    index_dir, ids = Path(index_dir), as_list(ids)
    if is_sharded(index_dir):
        from .cluster import delete_sharded  # cluster builds on this module
        return delete_sharded(ids, index_dir, procs=procs, notice=notice)
    refuse_shard_folder(index_dir, "delete")
    return delete_in_folder(ids, index_dir, procs=procs, notice=notice)


def delete_in_folder(ids: list, index_dir: Path, *, procs=None, notice=print) -> DeleteReport:
    """delete_articles in one index's folder (a shard's, with its sharded index's writer lock held)."""
    report, started = DeleteReport(), time.monotonic()
    current_generation(index_dir)  # IndexNotFound before the lock would create the folder
    with writer_lock(index_dir, notice, "delete"):
        live = current_generation(index_dir)
        retracted = retracted_in(live)
        found = _document_numbers(live, list(dict.fromkeys(ids)), report.skipped, retracted)
        if found:
            with _changed_generation(index_dir, live) as gen:
                storage.commit(storage.open_files(gen), [], list(found.values()))
                write_retracted(gen, retracted | dict.fromkeys(found, _now()))  # published with the deletions
        report.deleted, report.seconds = len(found), time.monotonic() - started
        if found:
            _merge_after(index_dir, _workers(procs), "delete")
    return report


def _now() -> str:
    """The time now, UTC, to the second (ISO 8601): when an article was retracted."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _document_numbers(gen: Path, ids: list[str], skipped: list, retracted: dict) -> dict[str, int]:
    """The document numbers in gen of the live articles with these ids; a Skip for each other id
    (saying when it was retracted, if it was)."""
    reader = storage.open_reader(gen)
    existing = reader.live_articles()
    reader.close()
    for missing in (i for i in ids if i not in existing):
        why = f"already retracted ({retracted[missing]})" if missing in retracted else NOT_FOUND
        skipped.append(Skip(missing, why))
    return {i: existing[i][2] for i in ids if i in existing}


def restore_articles(ids, index_dir="index_data", *, notice=print) -> RestoreReport:
    """Lift the retraction of these ids (a delete's) in a new generation of the same articles: the
    next update (or build) from sources holding them adds them back. A sharded index's in its shards' folders."""
    index_dir, ids = Path(index_dir), list(dict.fromkeys(as_list(ids)))
    if is_sharded(index_dir):
        from .cluster import restore_sharded  # cluster builds on this module
        return restore_sharded(ids, index_dir, notice=notice)
    refuse_shard_folder(index_dir, "restore")
    return restore_in_folder(ids, index_dir, notice=notice)


def restore_in_folder(ids: list, index_dir: Path, *, notice=print) -> RestoreReport:
    """restore_articles in one index's folder (a shard's, with its sharded index's writer lock held)."""
    report, started = RestoreReport(), time.monotonic()
    current_generation(index_dir)  # IndexNotFound before the lock would create the folder
    with writer_lock(index_dir, notice, "restore"):
        live = current_generation(index_dir)
        retracted = retracted_in(live)
        report.skipped = [Skip(i, NOT_RETRACTED) for i in ids if i not in retracted]
        report.restored = len(ids) - len(report.skipped)
        if report.restored:
            with _next_generation(index_dir) as gen:
                _link_same_articles(live, gen, keep=(LEXICON_FILE, LEXICON_BEFORE, GROUPS_FILE))
                write_retracted(gen, {i: when for i, when in retracted.items() if i not in ids})
    report.seconds = time.monotonic() - started
    return report


def retracted_articles(index_dir="index_data") -> dict[str, str]:
    """The ids retracted from the index (from each shard of a sharded one), each with when it was
    (UTC, ISO 8601): builds and updates keep them out."""
    if is_sharded(index_dir):
        from .cluster import shard_dirs  # cluster builds on this module
        return {i: when for shard in shard_dirs(index_dir) for i, when in retracted_articles(shard).items()}
    return retracted_in(current_generation(Path(index_dir)))


class _NothingChanged(Exception):
    """An update that adds, changes and removes nothing: its generation is discarded."""


def _apply_update(gen: Path, sources, report: UpdateReport, procs: int, progress, select) -> bool:
    """Write changed articles through the segment workers; delete old versions and removed ones.
    Whether anything changed (else nothing is committed)."""
    ix = storage.open_files(gen)
    existing, seen, changed, within = {}, set(), [], [s.resolve() for s in sources]
    # read and compared in this process: a worker starts (and loads pyvi's model) with the first batch to analyse
    read = kept_out(_read_articles(sources, report, progress, select), retracted_in(gen), report)
    articles = _changed_articles(ix, read, within, report, progress, (existing, seen, changed))
    _, segments, failed = _write_segments(gen, _batches(articles, WORKER_BATCH), report.skipped, procs, progress)
    _split_replaced(report, {a.id for a in changed}, select)
    written = {a.id for a in changed} - set(failed)
    report.updated = len(written & existing.keys())
    report.added = len(written) - report.updated
    removed = _removed_ids(existing, seen, within, report)
    report.removed = len(removed)
    if not (written or removed):
        return False
    storage.commit(ix, segments, [existing[i][2] for i in sorted((written & existing.keys()) | set(removed))])
    return True


def _split_replaced(report: UpdateReport, tried: set[str], select) -> None:
    """Keep in report.replaced the notes of the articles this update tried to write; move the others
    to report.replaced_before (a daily update had listed every standing correction again); drop
    those of ids that select leaves out (another shard's)."""
    notes = [note for note in report.replaced if select is None or select(note.id)]
    report.replaced = [note for note in notes if note.id in tried]
    report.replaced_before = [note for note in notes if note.id not in tried]


def _removed_ids(existing: dict, seen: set[str], within: list[Path], report: UpdateReport) -> list[str]:
    """The ids of the indexed articles that the sources read (within) no longer hold; those of files
    not read whole are kept instead, counted in report.kept (and by file in report.kept_empty, for
    an empty file: deleting it retracts them)."""
    unread = _unread_paths(report.skipped)
    empty = {os.path.abspath(skip.where) for skip in report.skipped if skip.reason == EMPTY_FILE}
    covered = {o: _covers(within, o) for o in {origin for _, origin, _ in existing.values()}}
    gone = [(i, origin, origin in unread or _under(origin, unread)) for i, (_, origin, _) in existing.items()
            if i not in seen and covered[origin]]
    kept = [origin for _, origin, not_read in gone if not_read]
    report.kept, report.kept_empty = len(kept), Counter(origin for origin in kept if origin in empty)
    return [i for i, _, not_read in gone if not not_read]


def _unread_paths(skipped) -> set[str]:
    """The files and folders that a read did not read whole (any skip of theirs but a duplicate id):
    an update keeps their articles that it did not read, as a cut export retracts none."""
    paths = set()
    for skip in skipped:
        path, _, line = skip.where.rpartition(":")
        if not skip.reason.startswith("duplicate id"):
            paths.add(os.path.abspath(path if path and line.isdigit() else skip.where))
    return paths


def _under(origin: str, folders: set[str]) -> bool:
    """Whether the file origin lies in one of folders (at any depth)."""
    parent = os.path.dirname(origin)
    while parent not in folders and os.path.dirname(parent) != parent:
        parent = os.path.dirname(parent)
    return parent in folders


def _changed_articles(ix, articles, within: list[Path], report: UpdateReport, progress, found):
    """Yield the new and changed ones of the articles read (within: the sources' real paths), filling
    found: (the index's live articles, the ids read, the articles yielded)."""
    existing, seen, changed = found
    reader = storage.IndexReader(ix)
    existing.update(reader.live_articles())
    reader.close()
    elsewhere = {}  # origin -> _read_elsewhere (asked for each article of the same few files)
    for article in articles:
        if progress:
            progress(len(seen) + 1)  # articles read and compared so far
        old = existing.get(article.id)
        if old is not None and old[1] not in elsewhere:
            elsewhere[old[1]] = _read_elsewhere(within, old[1])
        moved = old is not None and elsewhere[old[1]]
        if moved and not _replaces_other_file(article, old[1], report):
            continue
        seen.add(article.id)
        if old is not None and not moved and same_content(old[0], article):
            report.unchanged += 1
        else:
            changed.append(article)
            yield article


def _replaces_other_file(article, origin: str, report: UpdateReport) -> bool:
    """Whether article replaces its id's version indexed from another file that still exists: a
    JSONL record of a newer file does, an older one does not (noted in report.replaced either way);
    a text file's never does (a skip: two folders of the same name are a mistake, not a correction)."""
    if not (is_jsonl_file(article.origin) and is_jsonl_file(origin)):
        report.skipped.append(Skip(article.where, f"duplicate id {article.id!r}, already indexed from {origin}"))
        return False
    if file_recency(article.origin) > file_recency(origin):
        report.replaced.append(Replaced(origin, article.where, article.id, indexed="where"))
        return True
    report.replaced.append(Replaced(article.where, origin, article.id, indexed="by"))
    return False


def _merge_after(index_dir: Path, procs: int, what: str) -> None:
    """_merge after an update or delete went live; interrupted, it says that the change is live."""
    try:
        _merge(index_dir, procs)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(f"the {what} is live; merging segments after it stopped (the next update or "
                                "optimize merges them)") from None


def _merge(index_dir: Path, procs: int, bins: int | None = None) -> int:
    """Merge the live generation's segments as the policy (or optimize) says, in a new generation:
    the segment workers merge a group each (up to procs at once), the main process publishes."""
    live = current_generation(index_dir)
    reader = storage.open_reader(live)
    groups = storage.merge_plan(reader, bins)
    reader.close()
    if groups:
        with _next_generation(index_dir) as gen:
            # a merge keeps the live articles: their Lexicon holds (and the one before, until it is saved)
            _link_same_articles(live, gen, keep=(LEXICON_FILE, LEXICON_BEFORE))
            _, merged, _ = _write_segments(gen, [_Merge(tuple(g)) for g in groups], [],
                                           min(procs, len(groups)), None, analyse=False)
            storage.replace_merged(gen, groups, merged)
    else:  # a run killed between publishing and deleting what it replaced left that behind
        remove_stale_generations(index_dir)
    return len(groups)


def optimize_index(index_dir="index_data", *, procs=None, notice=print) -> int:
    """Merge the index (each shard of a sharded one) to at most one segment per core (procs), without
    deleted documents; the number of merges."""
    if is_sharded(index_dir):
        from .cluster import shard_dirs  # cluster builds on this module
        with writer_lock(Path(index_dir), notice, "optimize"):  # no sharded build, update or delete meanwhile
            return sum(optimize_in_folder(shard, procs=procs, notice=notice) for shard in shard_dirs(index_dir))
    refuse_shard_folder(index_dir, "optimize")
    return optimize_in_folder(Path(index_dir), procs=procs, notice=notice)


def optimize_in_folder(index_dir: Path, *, procs=None, notice=print) -> int:
    """optimize_index in one index's folder (a shard's, with its sharded index's writer lock held)."""
    current_generation(index_dir)  # IndexNotFound before the lock would create the folder
    procs = procs or os.cpu_count() or 1
    with writer_lock(index_dir, notice, "optimize"):
        return _merge(index_dir, procs, procs)
