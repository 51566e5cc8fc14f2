"""Load and rebuilds under load: wrk against `python -m search_app` (issue 5, "Load" and "Rebuilds").

    python -m indexer build ../shared/corpus/baomoi.jsonl.gz --index /tmp/baomoi   # once, ~4 min
    python -m benchmarks.load                          # 10 s warm-up, then 60 s of wrk -t2 -c8
    python -m benchmarks.load --swaps 10               # the same, then ten rebuilds under load
    python -m benchmarks.load --no-load --swaps 10     # only the rebuilds

Load: the web app (waitress, 127.0.0.1) serves --index; wrk replays a query mix drawn at run
time (seeded) from the corpus titles: 1-6 word slices, with and without accents, some quoted
phrases, pages 1-5, mostly /search and some /api/search. The request paths go to a temporary
file that benchmarks/load_mix.lua reads (no corpus text is kept). Reported: requests/s, p50/p99
latency, errors (socket errors, timeouts and non-2xx answers) and the server's VmRSS (summed over
its worker processes) after the warm-up and after the run. Targets (issue 10): >= 200 requests/s,
no errors, p99 <= 150 ms, anonymous RSS after <= 1.2x (the file-backed part is the mapped
index, shared page cache that grows as the run touches more of it).

Rebuilds: a separate temporary index is built from the first --swap-articles corpus articles
(never --index itself) and served under the same wrk load while `python -m indexer build`
replaces it --swaps times; each build adds one made-up marker article (`swapmarker{n}`), and
/api/search is polled until it finds it. Reported per swap: build time, delay until the marker
is found, generation folders left, the server's open file handles: deleted files still open when
the marker is found (a worker serves the old generation until its next check, each second, has
opened the new one, and closes it after its last search on it), when after the swap the last
was closed, and the handles then. Targets: no failed request, the marker found within 2 s, one
generation folder, the old generation closed within 10 s, file handles not growing.

The figures go to the "load" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from benchmarks.common import REPO, SHARED, md_table, read_jsonl, timer, write_section
from indexer import fold
from search_app.serve import default_workers

LUA = REPO / "benchmarks" / "load_mix.lua"
DEFAULT_INDEX = "/tmp/baomoi"
DEFAULT_CORPUS = SHARED / "corpus" / "baomoi.jsonl.gz"
WORD = re.compile(r"\w+(?:[/.-]\w+)*")
PAGES, PAGE_WEIGHTS = [1, 2, 3, 4, 5], [60, 15, 10, 8, 7]
TARGET_RPS, TARGET_P99_MS, TARGET_RSS_RATIO, TARGET_SWAP_SECONDS = 200, 150, 1.2, 2.0
MARKER = "swapmarker{n}"
RELEASE_SECONDS = 10  # how long the workers may keep a replaced generation's files open
# the rows are read while searches run (a new generation's Lexicon lock file may be open in each
# worker then), so leaks are judged on the open files once the load stopped and this time passed
IDLE_SECONDS = 3


# ---------------------------------------------------------------- command line and checks

def parse_args(argv=None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--index", default=DEFAULT_INDEX, help=f"built index to serve for the load run (default {DEFAULT_INDEX})")
    add("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) for the queries and the swap index")
    add("--duration", type=int, default=60, help="seconds of measured load (default 60)")
    add("--warmup", type=int, default=10, help="seconds of warm-up load first (default 10)")
    add("--threads", type=int, default=2, help="wrk threads (default 2)")
    add("--connections", type=int, default=8, help="wrk connections (default 8)")
    add("--timeout", type=int, default=2, help="wrk request timeout in s, counted as an error (default 2)")
    add("--server-threads", type=int, default=8, help="waitress threads per worker (default 8, the app's default)")
    add("--server-workers", type=int, default=default_workers(),
        help="server worker processes (default: one per core, the app's default, here %(default)s)")
    add("--port", type=int, default=0, help="server port (default: a free one)")
    add("--queries", type=int, default=2000, help="distinct request paths in the mix (default 2000)")
    add("--seed", type=int, default=5, help="seed of the query mix (default 5)")
    add("--swaps", type=int, default=0, help="rebuilds under load after the load run (default 0)")
    add("--swap-articles", type=int, default=2000, help="articles in the rebuilt index (default 2000)")
    add("--no-load", action="store_true", help="skip the load run (with --swaps: only the rebuilds)")
    return parser.parse_args(argv)


def check_setup(args) -> None:
    """Exit with a clear message when wrk, the corpus or the served index is missing."""
    if not shutil.which("wrk"):
        sys.exit("benchmarks.load: wrk not found; install it with `apt-get install wrk`.")
    if not args.corpus.exists():
        sys.exit(f"benchmarks.load: corpus {args.corpus} not found (../shared beside the repo, "
                 "or set VNSEARCH_SHARED, or pass --corpus).")
    if not args.no_load and not (Path(args.index) / "CURRENT").is_file():
        sys.exit(f"benchmarks.load: no built index in {args.index}; build it first (~4 min):\n"
                 f"  python -m indexer build {args.corpus} --index {args.index}")


# ---------------------------------------------------------------- the query mix

def corpus_titles(corpus: Path) -> list[str]:
    """The titles of the corpus that have words."""
    return [r["title"] for r in read_jsonl(corpus) if WORD.search(r.get("title", ""))]


def query_from(title: str, rng: random.Random) -> tuple[str, str]:
    """(kind, query): 1-6 words of title, maybe without accents, maybe a quoted phrase."""
    words = WORD.findall(title)
    k = min(rng.randint(1, 6), len(words))
    start = rng.randint(0, len(words) - k)
    text, kind = " ".join(words[start:start + k]), "accented"
    if rng.random() < 0.35:
        text, kind = fold(text), "unaccented"
    if k >= 2 and rng.random() < 0.2:
        text, kind = f'"{text}"', f"{kind} phrase"
    return kind, text


def request_path(query: str, rng: random.Random) -> str:
    """A /search (80%) or /api/search (20%) path for query, on page 1-5."""
    page = rng.choices(PAGES, PAGE_WEIGHTS)[0]
    endpoint = "/api/search" if rng.random() < 0.2 else "/search"
    params = {"q": query, **({"page": page} if page > 1 else {})}
    return f"{endpoint}?{urlencode(params, quote_via=quote)}"


def write_query_mix(titles: list[str], count: int, seed: int, path: Path) -> dict[str, int]:
    """Write count request paths to path, one a line; return how many of each kind."""
    rng, kinds, lines = random.Random(seed), {}, []
    for title in rng.sample(titles, count):
        kind, query = query_from(title, rng)
        kinds[kind] = kinds.get(kind, 0) + 1
        lines.append(request_path(query, rng))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kinds


# ---------------------------------------------------------------- the server process

@dataclass
class Server:
    """A running `python -m search_app`: its URL and the pids of the processes serving it."""

    url: str
    pids: list[int]
    log: Path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_sockets(port: int) -> set[str]:
    """The `socket:[inode]` names of the sockets listening on port (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
                found.add(f"socket:[{fields[9]}]")
    return found


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    pids = [pid]
    for p in pids:
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            pids += [int(c) for c in task.read_text().split()]
    return pids


def fd_targets(pid: int) -> list[str]:
    """What each open file descriptor of pid points to."""
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            targets.append(os.readlink(fd))
        except FileNotFoundError:  # closed meanwhile
            pass
    return targets


def serving_pids(root: int, port: int) -> list[int]:
    """The pids, in root's process tree, that serve port: its workers, or root serving alone."""
    sockets = listening_sockets(port)
    pids = [pid for pid in process_tree(root) if sockets & set(fd_targets(pid))]
    if not pids:
        raise RuntimeError(f"no process under pid {root} listens on port {port}")
    return [pid for pid in pids if pid != root] or pids


def wait_ready(proc: subprocess.Popen, url: str, log: Path, seconds: float = 120) -> None:
    """Wait until /healthz answers 200 (it opens the index); exit if the server died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"benchmarks.load: the server exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"benchmarks.load: the server did not answer /healthz within {seconds:.0f} s")


@contextmanager
def serving(index_dir, args, workdir: Path):
    """Run `python -m search_app` on index_dir for the block; yields a Server."""
    port = args.port or free_port()
    log = workdir / f"server-{port}.log"
    command = [sys.executable, "-m", "search_app", "--index", str(index_dir), "--host",
               "127.0.0.1", "--port", str(port), "--threads", str(args.server_threads),
               "--workers", str(args.server_workers)]
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(proc, url, log)
        yield Server(url, serving_pids(proc.pid, port), log)
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a process we started, killing it if it does not exit within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def summed(measure, pids: list[int], *args) -> dict:
    """measure(pid, *args) summed over the serving processes."""
    parts = [measure(pid, *args) for pid in pids]
    return {key: sum(part[key] for part in parts) for key in parts[0]}


def memory_mib(pids: list[int]) -> dict[str, float]:
    """The processes' resident memory in MiB, summed: VmRSS and its RssAnon / RssFile parts."""
    return summed(process_memory_mib, pids)


def process_memory_mib(pid: int) -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "RssAnon", "RssFile")}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used, in seconds."""
    fields = [Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for pid in pids]
    return sum(int(f[11]) + int(f[12]) for f in fields) / os.sysconf("SC_CLK_TCK")


def open_files(pids: list[int], index_dir) -> dict[str, int]:
    """The serving processes' open fds (all, files, index files, deleted but for multiprocessing's
    shared memory) and mapped index files (all, deleted), summed."""
    return summed(process_open_files, pids, str(Path(index_dir).resolve()))


# multiprocessing's shared memory (search_app's RawArray of connection counts) is a file in
# /dev/shm deleted as soon as it is made, held open (fd and map) by the server and each worker
SHARED_ARENA = "/dev/shm/pym-"


def process_open_files(pid: int, index_prefix: str) -> dict[str, int]:
    targets = fd_targets(pid)
    maps = {line.split(None, 5)[5] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
            if index_prefix in line}
    return {"fds": len(targets), "file_fds": sum(t.startswith("/") for t in targets),
            "index_fds": sum(t.startswith(index_prefix) for t in targets),
            "repeated_fds": len(index_fds := [t for t in targets if t.startswith(index_prefix)]) - len(set(index_fds)),
            "deleted_fds": sum(t.endswith("(deleted)") and not t.startswith(SHARED_ARENA) for t in targets),
            "index_maps": len(maps), "deleted_maps": sum(m.endswith("(deleted)") for m in maps)}


# ---------------------------------------------------------------- wrk

def wrk_command(url: str, paths: Path, seconds: int, args) -> list[str]:
    """The wrk command line for the query mix."""
    return ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
            "--timeout", f"{args.timeout}s", "--latency", "-s", str(LUA), url, "--", str(paths)]


def wrk_result(output: str) -> dict:
    """The figures of a wrk run, from the `load-json` line load_mix.lua prints."""
    line = next((row for row in output.splitlines() if row.startswith("load-json ")), None)
    if line is None:
        sys.exit(f"benchmarks.load: wrk gave no result line:\n{output[-2000:]}")
    result = json.loads(line.removeprefix("load-json "))
    seconds = result["duration_us"] / 1e6
    socket_errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    return {**result, "seconds": seconds, "rps": result["requests"] / seconds,
            "socket_errors": socket_errors, "errors": socket_errors + result["non2xx"],
            "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000,
            "text": "\n".join(row for row in output.splitlines() if not row.startswith("load-json "))}


def run_wrk(url: str, paths: Path, seconds: int, args) -> dict:
    """Run wrk for seconds and return its figures."""
    done = subprocess.run(wrk_command(url, paths, seconds, args), capture_output=True, text=True,
                          check=False)
    if done.returncode:
        sys.exit(f"benchmarks.load: wrk failed ({done.returncode}): {done.stderr.strip()}")
    return wrk_result(done.stdout)


@contextmanager
def wrk_running(url: str, paths: Path, args):
    """wrk in the background for the block (stop it with stop_wrk; killed if the block fails)."""
    proc = subprocess.Popen(wrk_command(url, paths, 86400, args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        stop_process(proc)


def stop_wrk(proc: subprocess.Popen) -> dict:
    """Interrupt a background wrk (it then prints its summary) and return its figures."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return wrk_result(out + err)


# ---------------------------------------------------------------- phase 1: load

def load_phase(args, paths: Path, workdir: Path) -> dict:
    """Warm up, then the measured wrk run on --index, with the server's RSS around it."""
    print(f"\n== load: serving {args.index}; load average {os.getloadavg()[0]:.2f}", flush=True)
    with serving(args.index, args, workdir) as server:
        start = memory_mib(server.pids)
        warm = run_wrk(server.url, paths, args.warmup, args)
        warmed = memory_mib(server.pids)
        print(f"warm-up: {warm['rps']:.1f} req/s, {warm['errors']} errors; memory {warmed}", flush=True)
        cpu = cpu_seconds(server.pids)
        run = run_wrk(server.url, paths, args.duration, args)
        after, cpu = memory_mib(server.pids), cpu_seconds(server.pids) - cpu
        print(f"{run['text']}\nmemory after: {after}", flush=True)
        show_log_if_errors(server, run)
    return {**run, "pids": server.pids, "mem_start": start, "mem_warm": warmed, "mem_after": after,
            "rss_ratio": after["VmRSS"] / warmed["VmRSS"], "anon_ratio": after["RssAnon"] / warmed["RssAnon"],
            "server_cores": cpu / run["seconds"]}


def show_log_if_errors(server: Server, run: dict) -> None:
    """Print the server's log (without waitress's queue-depth warnings) when wrk saw errors."""
    if not run["errors"]:
        return
    lines = server.log.read_text().splitlines()
    kept = [line for line in lines if "Task queue depth" not in line]
    print(f"wrk saw {run['errors']} errors (non-2xx codes {run['codes']}, timeouts {run['timeout']}); "
          f"server log, {len(lines) - len(kept)} 'Task queue depth' warnings left out:\n"
          + "\n".join(kept[-40:]), flush=True)


def load_verdict(load: dict) -> dict[str, bool]:
    """Which of the load targets are met."""
    return {f"requests/s >= {TARGET_RPS}": load["rps"] >= TARGET_RPS,
            "zero errors": load["errors"] == 0,
            f"p99 <= {TARGET_P99_MS} ms": load["p99_ms"] <= TARGET_P99_MS,
            f"RssAnon after <= {TARGET_RSS_RATIO}x post-warm-up": load["anon_ratio"] <= TARGET_RSS_RATIO}


# ---------------------------------------------------------------- phase 2: rebuilds under load

def write_swap_sources(corpus: Path, articles: int, swaps: int, workdir: Path) -> tuple[Path, list[Path]]:
    """The base JSONL (first `articles` of corpus) and one marker article file per swap."""
    base = workdir / "swap-base.jsonl"
    with open(base, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in read_jsonl(corpus, articles))
    markers = []
    for n in range(swaps + 1):
        word = MARKER.format(n=n)
        markers.append(workdir / f"{word}.jsonl")
        markers[-1].write_text(json.dumps({"id": word, "title": f"Bài đánh dấu {word}",
                                           "body": f"Bài kiểm tra hoán đổi chỉ mục {word}."}) + "\n")
    return base, markers


def build(index_dir: Path, sources: list[Path]) -> tuple[float, float]:
    """Run `python -m indexer build sources --index index_dir`; (seconds, wall time it exited)."""
    command = [sys.executable, "-m", "indexer", "build", *map(str, sources), "--index", str(index_dir)]
    with timer() as t:
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"benchmarks.load: the build failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
    return t.seconds, time.time()


def marker_found(url: str, n: int) -> bool:
    """Whether /api/search finds swap n's marker; raises OSError for a failed request."""
    query = urlencode({"q": MARKER.format(n=n)})
    with urllib.request.urlopen(f"{url}/api/search?{query}", timeout=30) as answer:
        return json.load(answer)["total"] > 0


def wait_for_marker(url: str, n: int, limit: float = 60) -> tuple[float, int]:
    """Poll for swap n's marker every 50 ms; (wall time it was found, failed polls)."""
    failed, deadline = 0, time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if marker_found(url, n):
                return time.time(), failed
        except (OSError, ValueError) as exc:  # urllib's HTTPError is an OSError
            failed += 1
            print(f"  poll failed: {exc}", flush=True)
        time.sleep(0.05)
    return float("nan"), failed


def wait_for_release(pids: list[int], index_dir, limit: float = RELEASE_SECONDS) -> float:
    """Poll every 50 ms until the workers hold no deleted file (the replaced generation's);
    the wall time they did, or NaN after limit seconds. A worker keeps the old generation
    until its next check (each second) has opened the new one and its last search on it ended."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        counts = open_files(pids, index_dir)
        if counts["deleted_fds"] == 0 and counts["deleted_maps"] == 0:
            return time.time()
        time.sleep(0.05)
    return float("nan")


def one_swap(n: int, server: Server, index_dir: Path, sources: list[Path]) -> dict:
    """Rebuild index_dir under load with marker n; the figures of that swap."""
    seconds, exited = build(index_dir, sources)
    published = (index_dir / "CURRENT").stat().st_mtime
    found, failed = wait_for_marker(server.url, n)
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    held = open_files(server.pids, index_dir)["deleted_fds"]
    released = wait_for_release(server.pids, index_dir) - published
    row = {"swap": n, "build_s": seconds, "since_swap_s": found - published,
           "since_exit_s": found - exited, "failed_polls": failed, "generations": len(gens),
           "held_at_marker": held, "released_s": released,
           "rss": memory_mib(server.pids)["VmRSS"], **open_files(server.pids, index_dir)}
    print("  " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
          flush=True)
    return row


def swaps_phase(args, paths: Path, workdir: Path) -> dict:
    """Serve a small index under wrk load while it is rebuilt --swaps times."""
    index_dir = workdir / "swap-index"
    base, markers = write_swap_sources(args.corpus, args.swap_articles, args.swaps, workdir)
    print(f"\n== rebuilds: first build of {args.swap_articles} articles into {index_dir}", flush=True)
    build(index_dir, [base, markers[0]])
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    with serving(index_dir, args, workdir) as server, wrk_running(server.url, paths, args) as wrk:
        cpu = cpu_seconds(server.pids)
        time.sleep(args.warmup)
        before = {"rss": memory_mib(server.pids)["VmRSS"], **open_files(server.pids, index_dir)}
        print(f"  before the swaps: {before}", flush=True)
        rows = [one_swap(n, server, index_dir, [base, markers[n]]) for n in range(1, args.swaps + 1)]
        load, cpu = stop_wrk(wrk), cpu_seconds(server.pids) - cpu
        load["server_cores"] = cpu / load["seconds"]
        print(load["text"], flush=True)
        show_log_if_errors(server, load)
        time.sleep(IDLE_SECONDS)
        after = open_files(server.pids, index_dir)
        print(f"  idle after the swaps: {after}", flush=True)
    return {"before": before, "rows": rows, "load": load, "after": after}


def swaps_verdict(swaps: dict) -> dict[str, bool]:
    """Which of the rebuild targets are met."""
    rows = swaps["rows"]
    failed = swaps["load"]["errors"] + sum(r["failed_polls"] for r in rows)
    return {"zero failed requests": failed == 0,
            f"marker found within {TARGET_SWAP_SECONDS:.0f} s of each swap":
                all(r["since_swap_s"] <= TARGET_SWAP_SECONDS for r in rows),
            "one generation folder after each swap": all(r["generations"] == 1 for r in rows),
            f"replaced generation closed within {RELEASE_SECONDS} s, open files not growing":
                all(r["released_s"] <= RELEASE_SECONDS and r["deleted_fds"] == 0 and r["deleted_maps"] == 0
                    for r in rows) and files_not_growing(rows, swaps["after"])}


def files_not_growing(rows: list[dict], after: dict) -> bool:
    """No index file open twice in a process at any swap nor after them, and no more files open
    idle after the swaps than at the busiest swap. Not a count against the start: which worker
    groups a new generation's copies (mapping its fingerprint column) and which reads the groups
    the other saved is a race, so the live generation's files open vary by one or two."""
    return all(r["repeated_fds"] == 0 for r in [*rows, after]) and \
        after["file_fds"] <= max(r["file_fds"] for r in rows)


# ---------------------------------------------------------------- report

def verdict_lines(verdict: dict[str, bool]) -> str:
    """'target: PASS' lines."""
    return "\n".join(f"- {name}: {'PASS' if ok else 'FAIL'}" for name, ok in verdict.items())


def load_markdown(args, load: dict, kinds: dict[str, int]) -> str:
    """The Markdown of the load run."""
    mix = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    table = md_table(["measure", "value"], [
        ["requests/s", f"{load['rps']:.1f}"], ["requests", load["requests"]],
        ["latency p50 / p99 (ms)", f"{load['p50_ms']:.0f} / {load['p99_ms']:.0f}"],
        ["errors: socket (incl. timeouts) / non-2xx", f"{load['socket_errors']} / {load['non2xx']}"],
        *memory_rows(load), ["VmRSS / RssAnon after, over after warm-up",
                             f"{load['rss_ratio']:.3f} / {load['anon_ratio']:.3f}"],
        ["server CPU during the run (cores busy)", f"{load['server_cores']:.2f}"]])
    return (f"`wrk -t{args.threads} -c{args.connections} -d{args.duration}s --timeout {args.timeout}s "
            f"--latency -s benchmarks/load_mix.lua` against `python -m search_app --index {args.index}` "
            f"({args.server_workers} worker processes × {args.server_threads} waitress threads) after {args.warmup} s of warm-up. "
            f"{args.queries} request paths drawn (seed {args.seed}) from corpus titles: {mix}; "
            "pages 1-5 (60% page 1), 80% /search, 20% /api/search.\n\n"
            f"{table}\n\n{verdict_lines(load_verdict(load))}\n")


def memory_rows(load: dict) -> list[list[str]]:
    """Table rows of the server's memory at start, after warm-up and after the run."""
    return [[f"server {name} at start / after warm-up / after (MiB)",
             " / ".join(f"{load[k][name]:.0f}" for k in ("mem_start", "mem_warm", "mem_after"))]
            for name in ("VmRSS", "RssAnon", "RssFile")]


def swaps_markdown(args, swaps: dict) -> str:
    """The Markdown of the rebuilds under load."""
    header = ["swap", "build s", "found s after swap", "s after build exit", "gen folders",
              "deleted fds when found", "old files closed s after swap", "fds", "file fds",
              "deleted fds", "index files open twice", "mapped index files", "deleted maps", "RSS MiB"]
    rows = [[r["swap"], f"{r['build_s']:.1f}", f"{r['since_swap_s']:.2f}", f"{r['since_exit_s']:.2f}",
             r["generations"], r["held_at_marker"], f"{r['released_s']:.2f}", r["fds"], r["file_fds"],
             r["deleted_fds"], r["repeated_fds"], r["index_maps"], r["deleted_maps"], f"{r['rss']:.0f}"]
            for r in swaps["rows"]]
    load, before, after = swaps["load"], swaps["before"], swaps["after"]
    failed_polls = sum(r["failed_polls"] for r in swaps["rows"])
    return (f"{args.swaps} × `python -m indexer build` of the first {args.swap_articles} articles of "
            f"{args.corpus.name} plus a marker article (`swapmarker{{n}}`) into the served index, while the "
            f"same wrk load runs ({load['seconds']:.0f} s, {load['requests']} requests, "
            f"{load['rps']:.1f} req/s, p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms; "
            f"server CPU {load['server_cores']:.2f} cores). "
            f"Failed requests: wrk {load['socket_errors']} socket + {load['non2xx']} non-2xx, "
            f"marker polls {failed_polls}. Before the swaps: {before['fds']} fds "
            f"({before['file_fds']} on files, {before['index_fds']} of them index files), "
            f"{before['index_maps']} index files mapped, RSS {before['rss']:.0f} MiB. "
            f"Idle {IDLE_SECONDS} s after the load: {after['fds']} fds ({after['file_fds']} on files, "
            f"{after['index_fds']} of them index files).\n\n"
            f"{md_table(header, rows)}\n\n{verdict_lines(swaps_verdict(swaps))}\n")


def markdown(args, load: dict | None, kinds: dict[str, int], swaps: dict | None) -> str:
    """The body of the RESULTS.md section."""
    body = (f"Load average (1 min) at the start / end: {args.loadavg:.2f} / {os.getloadavg()[0]:.2f} "
             "(above ~1, other work shared the 2 cores).\n\n")
    if load:
        body += "### Load\n\n" + load_markdown(args, load, kinds) + "\n"
    if swaps:
        body += "### Rebuilds under load\n\n" + swaps_markdown(args, swaps)
    return body


def main(argv=None) -> int:
    """Run the load and/or rebuild phases; print the figures and a Markdown block."""
    args = parse_args(argv)
    check_setup(args)
    args.loadavg = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="vnsearch-load-"))
    try:
        paths = workdir / "paths.txt"
        kinds = write_query_mix(corpus_titles(args.corpus), args.queries, args.seed, paths)
        print(f"query mix: {kinds} -> {paths}", flush=True)
        load = None if args.no_load else load_phase(args, paths, workdir)
        swaps = swaps_phase(args, paths, workdir) if args.swaps else None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_section("load", "Load and rebuilds under load (wrk)", markdown(args, load, kinds, swaps))
    verdicts = {**(load_verdict(load) if load else {}), **(swaps_verdict(swaps) if swaps else {})}
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
