"""Indexing speed and cost.

    python -m benchmarks.indexing                     # 5,000-article comparison, then the whole corpus
    python -m benchmarks.indexing --skip-full         # only the 5,000-article comparison
    python -m benchmarks.indexing --full-dir DIR      # keep the full index in DIR (default /tmp/vnsearch-full)

1. The first 5,000 baomoi articles (title + sapo + body), indexed two ways: the plain pipeline a
   tutorial would write (pyvi `ViTokenizer.tokenize` on title and body, Whoosh default
   analyzer, `writer.add_document`, one commit, one process) and ours (`indexer.build_index`).
2. The whole corpus (baomoi + vietnews-*) through `python -m indexer build ... --index DIR`
   as a subprocess: wall time, peak RSS of the whole process tree (polled every 0.5 s), the
   memory each worker holds once a spill has emptied its pool (its lowest RSS in each quarter
   of the build from its first spill on: flat when nothing grows with the build), size on disk
   and the peak disk use.
   The full index is kept for benchmarks.search_speed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from stat import S_ISREG

from benchmarks.common import program, REPO, article_text, corpus_paths, load_indexer, md_table, \
    read_jsonl, require_shared, timer, write_jsonl_gz, write_section

SAMPLE_SIZE = 5000
FULL_BUILD_SECONDS = 11 * 60  # issue 10: the whole corpus in <= 11 min on 2 cores
DEFAULT_FULL_DIR = "/tmp/vnsearch-full"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- 5,000 articles

def write_sample(n: int, folder: Path, source: str = "baomoi.jsonl.gz") -> Path:
    """The first n records of a corpus file, as they are, in folder/sample-n.jsonl.gz."""
    path = folder / f"sample-{n}.jsonl.gz"
    write_jsonl_gz(read_jsonl(require_shared("corpus", source), n), path)
    return path


def tutorial_index(sample: Path, folder: str) -> int:
    """The tutorial pipeline: pyvi-tokenize title and body, add_document, one commit."""
    from pyvi import ViTokenizer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    schema = Schema(id=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True))
    writer = create_in(folder, schema).writer()
    count = 0
    for record in read_jsonl(sample):
        title, body = article_text(record)
        writer.add_document(id=record["id"], title=ViTokenizer.tokenize(title),
                            body=ViTokenizer.tokenize(body))
        count += 1
    writer.commit()
    return count


def our_index(indexer, sample: Path, folder: str) -> int:
    return indexer.build_index([str(sample)], folder).indexed


def compare(indexer, n: int) -> str:
    """Index n articles both ways; return the Markdown report."""
    rows, rates = [], {}
    with tempfile.TemporaryDirectory(prefix="vnsearch-indexing-") as tmp:
        sample = write_sample(n, Path(tmp))
        pipelines = [("tutorial (pyvi + Whoosh defaults, 1 process)", "tutorial", tutorial_index)]
        if indexer is not None:
            pipelines.append(("ours (`indexer.build_index`)", "ours",
                              lambda s, f: our_index(indexer, s, f)))
        for label, key, build in pipelines:
            folder = Path(tmp) / key
            folder.mkdir()
            with timer() as t:
                count = build(sample, str(folder))
            rates[key] = count / t.seconds
            rows.append([label, count, f"{t.seconds:.1f}", f"{rates[key]:.0f}",
                         f"{dir_size(folder) / 2**20:.1f}"])
            print(f"  {key:9s} {count} articles in {t.seconds:.1f} s = {rates[key]:.0f} /s",
                  flush=True)
    parts = [f"First {n:,} articles of baomoi.jsonl.gz (title + sapo + body), same machine, "
             "one after the other.",
             md_table(["pipeline", "articles", "seconds", "articles/s", "index MiB"], rows)]
    if "ours" in rates:
        ratio = rates["ours"] / rates["tutorial"]
        verdict = "PASS" if ratio >= 2 else "FAIL"
        aim = "met" if ratio >= 3 else "missed"
        parts.append(f"Ours / tutorial: **{ratio:.2f}x** — target >= 2x: {verdict} "
                     f"(aim 3x {aim}).")
        print(f"  ratio {ratio:.2f}x")
    return "\n\n".join(parts)


# ---------------------------------------------------------------- process tree memory

def tree_rss(root: int) -> dict[int, int]:
    """Resident bytes of a process and of each of its descendants, by pid, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = {}, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            found[pid] = resident_bytes(pid)
        except (OSError, IndexError, ValueError):
            pass
    return found


def resident_bytes(pid: int | str = "self") -> int:
    """A process's resident bytes (/proc statm)."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRss(threading.Thread):
    """Polls the RSS of a process tree every `interval` s (.peak, the highest sum seen; .readings,
    each process's RSS readings in order) and, every 10 polls, the disk space `folder` takes
    (.peak_disk: temporary files included; allocated blocks, so sparse files count as written)."""

    def __init__(self, pid: int, folder: str, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.folder, self.interval = pid, Path(folder), interval
        self.peak = self.peak_disk = 0
        self.readings: dict[int, list[int]] = {}
        self.done = threading.Event()

    def run(self):
        polls = 0
        while not self.done.is_set():
            rss = tree_rss(self.pid)
            self.peak = max(self.peak, sum(rss.values()))
            for pid, value in rss.items():
                if value:  # an exited worker not yet reaped reads 0
                    self.readings.setdefault(pid, []).append(value)
            if polls % 10 == 0:
                self.peak_disk = max(self.peak_disk, dir_size(self.folder, allocated=True))
            polls += 1
            self.done.wait(self.interval)

    def held_by_workers(self) -> list[list[int]]:
        """Each worker's lowest RSS in each quarter of its readings from its first spill on: what it
        holds once a spill has emptied its pool (every ~12,000 articles), which must not grow with the build."""
        workers = [_from_first_spill(r) for pid, r in sorted(self.readings.items()) if pid != self.pid]
        return [[min(r[k * len(r) // 4:(k + 1) * len(r) // 4]) for k in range(4)] for r in workers if len(r) >= 8]


def _from_first_spill(readings: list[int]) -> list[int]:
    """A worker's RSS readings from its first spill on (the first fall to 3/4 of the highest before)."""
    highest = 0
    for n, rss in enumerate(readings):
        if rss < highest * 3 // 4:
            return readings[n:]
        highest = max(highest, rss)
    return []


def dir_size(path: Path, allocated: bool = False) -> int:
    """Bytes in the files under path (files vanishing meanwhile are skipped); allocated: the disk
    blocks they take instead of their sizes."""
    total = 0
    for f in Path(path).rglob("*"):
        try:
            info = f.stat()
        except OSError:
            continue
        if S_ISREG(info.st_mode):
            total += info.st_blocks * 512 if allocated else info.st_size
    return total


# ---------------------------------------------------------------- whole corpus

def full_build(indexer, folder: str) -> str:
    """Build the whole corpus with the CLI in a subprocess; return the Markdown report."""
    sources = [str(p) for p in corpus_paths()]
    command = [sys.executable, "-m", "indexer", "build", *sources, "--index", folder]
    print("  $", " ".join(command), flush=True)
    log = Path(tempfile.gettempdir()) / "vnsearch-full-build.log"
    with open(log, "w") as out, timer() as t:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        watcher = PeakRss(process.pid, folder)
        watcher.start()
        code = process.wait()
        watcher.done.set()
        watcher.join()
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    print(f"  exit {code} after {t.seconds:.0f} s, peak RSS {watcher.peak / 2**30:.2f} GiB; "
          f"log {log}", flush=True)
    if code not in (0, 3):
        return f"`python -m indexer build` failed (exit {code}):\n\n```\n" + "\n".join(tail) + "\n```"
    with indexer.open_index(folder) as index:
        articles = index.doc_count
    return full_report(articles, t.seconds, watcher, dir_size(Path(folder)), code, tail)


def full_report(articles: int, seconds: float, watcher: PeakRss, size: int, code: int, tail: list[str]) -> str:
    sources = " ".join(f"../shared/corpus/{p.name}" for p in corpus_paths())
    return "\n\n".join([
        f"`python -m indexer build {sources} --index DIR` as a subprocess; RSS summed over the "
        "process and its children, polled every 0.5 s; disk use as allocated blocks, every 5 s.",
        md_table(["measure", "value", "target"], full_rows(articles, seconds, watcher, size)),
        f"Exit code {code}; last lines of its output:\n\n```\n" + "\n".join(tail) + "\n```"])


def full_rows(articles: int, seconds: float, watcher: PeakRss, size: int) -> list[list[str]]:
    """The full build's measures: (what, value, verdict)."""
    peak = watcher.peak
    held = "; ".join(" / ".join(f"{rss / 2**20:.0f}" for rss in worker) for worker in watcher.held_by_workers())
    return [["articles indexed", f"{articles:,}", ""],
            ["wall time", f"{seconds / 60:.1f} min ({articles / seconds:.0f} articles/s)",
             "PASS" if seconds <= FULL_BUILD_SECONDS else f"FAIL (target <= {FULL_BUILD_SECONDS // 60} min)"],
            ["peak RSS, whole process tree", f"{peak / 2**30:.2f} GiB",
             "PASS" if peak <= 2 * 2**30 else "FAIL (target <= 2 GiB)"],
            ["memory a worker holds after its spills: lowest RSS in each quarter of the build from its "
             "first spill on, MiB (workers separated by ;)", held, ""],
            ["index on disk", f"{size / 2**20:.0f} MiB ({size / max(articles, 1):.0f} bytes/article)", ""],
            ["peak disk use while building (temporary files included)", f"{watcher.peak_disk / 2**30:.1f} GiB", ""]]


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=SAMPLE_SIZE)
    parser.add_argument("--full-dir", default=DEFAULT_FULL_DIR)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args(argv)
    corpus_paths()  # exits with a clear message when ../shared is absent
    indexer = load_indexer(required=False)
    print(f"== {args.articles:,} articles: tutorial pipeline vs ours", flush=True)
    write_section("indexing", f"Indexing speed ({args.articles:,} articles)",
                  compare(indexer, args.articles))
    if args.skip_full or indexer is None:
        print("(whole corpus skipped)")
        return 0
    print(f"== whole corpus -> {args.full_dir}", flush=True)
    write_section("indexing-full", "Indexing the whole corpus", full_build(indexer, args.full_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
