"""What an update sends every replica of a cluster: the whole CorpusTable against its changes.

    python -m benchmarks.table_change --shards /tmp/cluster17/sharded-2 --update 1000

Copies a sharded index (the cluster benchmark's), reads every shard's frequency table, updates
each shard with its share of the first --update vietnews-val articles (new ids, dealt by the
cluster's hash, as `update --cluster` deals them), then prints the pickled bytes of what a
replica receives (set_table: the whole table; change_table: the TableChange), and the time of
summing the table anew, of making the change and of applying it (best and median of 5). The
table the change makes must equal the one summed anew. Prints only (RESULTS.md is the lead's).
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import load_indexer, read_jsonl, require_shared, write_jsonl_gz

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
    from indexer.build import update_index
    from indexer.cluster import _InShard, shard_dirs
    shards = shard_dirs(folder)
    return sum(update_index([source], shard, procs=0, notice=lambda m: None, select=_InShard(n, len(shards))).added
               for n, shard in enumerate(shards))


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", default="/tmp/cluster17/sharded-2", help="a sharded index (copied, not changed)")
    parser.add_argument("--update", type=int, default=1000, help="new articles in the update")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    with tempfile.TemporaryDirectory(prefix="table-change-") as tmp:
        folder, source = Path(tmp) / "shards", Path(tmp) / "update.jsonl.gz"
        shutil.copytree(args.shards, folder)
        write_jsonl_gz(read_jsonl(require_shared("corpus", "vietnews-val.jsonl.gz"), args.update), source)
        before = shard_tables(indexer, folder)
        print(f"added {update_shards(folder, source):,} articles")
        print(*measure(before, shard_tables(indexer, folder)), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
