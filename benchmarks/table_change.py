"""What an update sends: whole CorpusTables against their changes, shard to front and front to replica.

    python -m benchmarks.table_change --shards /tmp/cluster17/sharded-2 --update 1000
    python -m benchmarks.table_change --shards /tmp/cluster17/sharded-2 --delete 1000

Copies a sharded index (the cluster benchmark's), opens a replica of every shard (a ShardActor, in
this process) and has it send its frequency table, then updates each shard with its share of the
first --update vietnews-val articles (new ids, dealt by the cluster's hash, as `update --cluster`
deals them) and deletes the first --delete baomoi articles (the shards' own) from their shards.
Prints the pickled bytes of what each changed shard sends the front (frequency_table: its whole
new table before, its TableChange now) and of what a replica receives (set_table: the whole
table; change_table: the TableChange), and the times of making and applying the changes against
summing the table anew (best and median of 5). The tables the changes make must equal the ones
read anew. Prints only (RESULTS.md is the lead's).
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import program, load_indexer, read_jsonl, require_shared, write_jsonl_gz

REPEATS = 5


def shard_tables(indexer, folder: Path) -> list[tuple]:
    """Every shard's Index.frequency_table(), in shard order."""
    from indexer.cluster import shard_dirs
    tables = []
    for shard in shard_dirs(folder):
        with indexer.open_index(shard) as index:
            tables.append(index.frequency_table())
    return tables


def update_shards(folder: Path, source: Path) -> int:
    """Update every shard with its articles of source (as update_sharded's tasks do); how many were added."""
    from indexer.build import update_in_folder
    from indexer.cluster import _InShard, shard_dirs
    shards = shard_dirs(folder)
    return sum(update_in_folder([source], shard, procs=0, notice=lambda m: None, select=_InShard(n, len(shards))).added
               for n, shard in enumerate(shards))


def delete_from_shards(folder: Path, ids: list[str]) -> int:
    """Delete these articles from their shards (as `delete --index` does); how many were deleted."""
    from indexer.cluster import delete_sharded
    return delete_sharded(ids, folder, procs=0, notice=lambda m: None).deleted


def timed(make) -> tuple[object, float, float]:
    """(make(), the best and the median of REPEATS timings in ms)."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        value = make()
        times.append((time.perf_counter() - started) * 1000)
    return value, min(times), sorted(times)[REPEATS // 2]


def measure(before: list[tuple], after: list[tuple]) -> list[str]:
    """The report's lines: bytes each way and times, the changed table checked against the summed one."""
    from indexer.cluster import CorpusTable, TableChange
    base, epoch = tuple((n, t[0]) for n, t in enumerate(before)), tuple((n, t[0]) for n, t in enumerate(after))
    moved = [n for n in range(len(after)) if after[n][0] != before[n][0]]
    old = CorpusTable.summed(before)
    whole, summed_best, summed_median = timed(lambda: CorpusTable.summed(after))
    change, made_best, made_median = timed(
        lambda: TableChange.between(base, epoch, [before[n] for n in moved], [after[n] for n in moved]))
    applied, applied_best, applied_median = timed(lambda: old.changed(change))
    assert applied == whole, "the changed table differs from the table summed anew"
    whole_bytes = len(pickle.dumps(("set_table", (epoch, whole)), pickle.HIGHEST_PROTOCOL))
    change_bytes = len(pickle.dumps(("change_table", (change,)), pickle.HIGHEST_PROTOCOL))
    return [f"shards updated: {len(moved)} of {len(after)}; counts: {len(old.hashes):,} before, "
            f"{len(whole.hashes):,} after, {len(change.hashes):,} changed",
            f"bytes per replica: whole table {whole_bytes:,}, change {change_bytes:,} ({whole_bytes / change_bytes:.1f}x)",
            f"ms, best / median of {REPEATS}: summed anew {summed_best:.1f} / {summed_median:.1f}, change made "
            f"{made_best:.1f} / {made_median:.1f}, change applied {applied_best:.1f} / {applied_median:.1f}"]


def measure_sent(before: list[tuple], after: list[tuple], answers: list) -> list[str]:
    """The report's lines on what the shards send the front: their whole new tables against their
    changes, the times of making them (on the shards) and of the front's table from them."""
    from indexer.cluster import CorpusTable, TableChange
    assert all(isinstance(a, TableChange) for a in answers), "a shard sent its whole table"
    assert all(same_table(a.applied(b), t) for a, b, t in zip(answers, before, after)), \
        "a shard's table changed by its change differs from the table read anew"
    whole_bytes = sum(len(pickle.dumps(t, pickle.HIGHEST_PROTOCOL)) for t in after)
    sent_bytes = sum(len(pickle.dumps(a, pickle.HIGHEST_PROTOCOL)) for a in answers)
    _, made_best, made_median = timed(lambda: [TableChange.of_shard(b, t) for b, t in zip(before, after)])
    base, epoch = tuple((n, t[0]) for n, t in enumerate(before)), tuple((n, t[0]) for n, t in enumerate(after))
    old = CorpusTable.summed(before)
    _, whole_best, whole_median = timed(lambda: old.changed(TableChange.between(base, epoch, before, after)))
    _, front_best, front_median = timed(lambda: ([a.applied(b) for a, b in zip(answers, before)],
                                                 old.changed(TableChange.summed(base, epoch, answers))))
    return [f"bytes shards -> front ({len(after)} shards): whole tables {whole_bytes:,}, changes {sent_bytes:,} "
            f"({whole_bytes / sent_bytes:.1f}x)",
            f"ms, best / median of {REPEATS}: the shards' changes made {made_best:.1f} / {made_median:.1f} "
            f"(beside reading their tables); the front's table from whole tables {whole_best:.1f} / "
            f"{whole_median:.1f}, from the changes (and its shard tables changed) {front_best:.1f} / {front_median:.1f}"]


def same_table(got: tuple, want: tuple) -> bool:
    """Whether two frequency tables (Index.frequency_table) are equal."""
    return got[:3] == want[:3] and all(np.array_equal(a, b) for a, b in zip(got[3:], want[3:]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.splitlines()[0])
    parser.add_argument("--shards", default="/tmp/cluster17/sharded-2", help="a sharded index (copied, not changed)")
    parser.add_argument("--update", type=int, default=1000, help="new articles in the update")
    parser.add_argument("--delete", type=int, default=0, help="of the shards' articles, deleted after it")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    from indexer.cluster import ShardActor, shard_dirs
    with tempfile.TemporaryDirectory(prefix="table-change-") as tmp:
        folder, source = Path(tmp) / "shards", Path(tmp) / "update.jsonl.gz"
        shutil.copytree(args.shards, folder)
        write_jsonl_gz(read_jsonl(require_shared("corpus", "vietnews-val.jsonl.gz"), args.update), source)
        replicas = [ShardActor(str(shard)) for shard in shard_dirs(folder)]
        started = time.perf_counter()
        before = [replica.frequency_table(None) for replica in replicas]
        read_ms = (time.perf_counter() - started) * 1000
        print(f"added {update_shards(folder, source) if args.update else 0:,} articles")
        deleted = [r["id"] for r in read_jsonl(require_shared("corpus", "baomoi.jsonl.gz"), args.delete)]
        print(f"deleted {delete_from_shards(folder, deleted) if deleted else 0:,} articles")
        for replica in replicas:
            replica.index.refresh()
        started = time.perf_counter()
        answers = [replica.frequency_table(table[0]) for replica, table in zip(replicas, before)]
        answer_ms = (time.perf_counter() - started) * 1000
        after = shard_tables(indexer, folder)
        print(*measure(before, after), *measure_sent(before, after, answers), sep="\n")
        print(f"ms, once: the shards' first tables read {read_ms:.0f}, their answers after the change {answer_ms:.0f}")
        for replica in replicas:
            replica.index.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
