"""Shared helpers for the benchmarks: paths, machine info, RESULTS.md sections, corpus, timers."""

from __future__ import annotations

import datetime
import gzip
import json
import os
import re
import sys
import time
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VNSEARCH_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "benchmarks" / "RESULTS.md"
CORPUS_FILES = ["baomoi.jsonl.gz", "vietnews-train.jsonl.gz",
                "vietnews-val.jsonl.gz", "vietnews-test.jsonl.gz"]


def program() -> str | None:
    """The program as the reader ran it, for argparse's prog: python -m NAME (None when run as a file)."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)  # argparse's default names the file run
    return f"python -m {spec.name.removesuffix('.__main__')}" if spec is not None else None


# ---------------------------------------------------------------- shared data and the core

def require_shared(*parts: str) -> Path:
    """The path under ../shared, or exit with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmarks: {path} not found. The benchmarks need the shared corpus and "
                 f"evaluation sets at {SHARED} (../shared beside the repo, or set VNSEARCH_SHARED).")
    return path


def corpus_paths() -> list[Path]:
    """The four corpus files, in the order they are indexed."""
    return [require_shared("corpus", name) for name in CORPUS_FILES]


def load_indexer(required: bool = True):
    """Import the core `indexer` package; exit (or return None) when its API is not there yet."""
    sys.path.insert(0, str(REPO))
    try:
        import indexer
        indexer.build_index, indexer.open_index  # noqa: B018 - the API the benchmarks use
        return indexer
    except (ImportError, AttributeError) as exc:
        if required:
            sys.exit(f"benchmarks: the core is not usable yet ({exc!r})")
        print(f"[skip] our engine: the core is not usable yet ({exc!r})", file=sys.stderr)
        return None


# ---------------------------------------------------------------- corpus

def read_jsonl(path: Path, limit: int | None = None):
    """Yield the JSON objects of a (gzipped) JSON-lines file, at most `limit` of them."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        yield from (json.loads(line) for line in islice(lines, limit) if line.strip())


def write_jsonl_gz(records, path: Path) -> int:
    """Write records as gzipped JSON lines; return how many."""
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def article_text(record: dict) -> tuple[str, str]:
    """(title, lead + body) of a corpus record (baomoi `sapo`, vietnews `abstract`)."""
    lead = record.get("sapo") or record.get("abstract") or ""
    return record.get("title", ""), "\n".join(p for p in (lead, record.get("body", "")) if p)


# ---------------------------------------------------------------- timing and machine

@contextmanager
def timer():
    """`with timer() as t:` ... then t.seconds."""
    class Elapsed:
        seconds = 0.0
    elapsed, start = Elapsed(), time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.seconds = time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def machine_info() -> str:
    """'2 cores (nproc), 23.4 GiB memory (MemTotal)'."""
    mem_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return f"{os.cpu_count()} cores (nproc), {mem_kib / 2**20:.1f} GiB memory (MemTotal)"


def command_line() -> str:
    """The command that is running, as typed from the repo root."""
    main = sys.modules["__main__"]
    spec = getattr(main, "__spec__", None)
    prog = f"python -m {spec.name}" if spec and spec.name else f"python {sys.argv[0]}"
    return " ".join([prog, *sys.argv[1:]])


# ---------------------------------------------------------------- RESULTS.md

def section_header(title: str) -> str:
    """A section's heading and the line saying when, where and how it was run."""
    today = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"## {title}\n\n_Run {today} on {machine_info()}; command: "
            f"`{command_line()}`_\n\n")


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or append) the section between `<!-- name:start -->` and `<!-- name:end -->`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{section_header(title)}{body.strip()}\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote section '{name}' of {RESULTS.relative_to(REPO)}")


def show_section(name: str, title: str, body: str, write: bool = True) -> None:
    """Print a section's body and, when write, put it in RESULTS.md (write_section)."""
    print(body)
    if write:
        write_section(name, title, body)


def md_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; floats get three decimals."""
    def cell(value):
        return f"{value:.3f}" if isinstance(value, float) else str(value)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
