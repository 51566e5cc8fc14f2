"""Serving the app on every core: worker processes sharing one listening socket.

The parent binds the socket, then forks the workers. Each worker opens the index itself (the
mapped index files are then shared through the page cache, not copied) and serves requests
with its own waitress threads. The parent restarts a worker that dies, and on SIGTERM or SIGINT
stops the workers and exits.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait

import waitress

import indexer

from . import views

STOP_SECONDS = 10  # how long stopping workers may finish their requests before being killed
QUICK_EXIT_SECONDS = 5  # a worker that dies sooner after starting counts towards a crash loop
CRASH_LOOP = 5  # quick deaths in a row after which the server gives up
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
REPLACED = 1 << 30  # the connection count of a worker starting: never the least busy
WARMED = "warmed_generation"  # app.extensions key: the generation this worker warmed up


def default_workers() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0))


def worker_count(text: str) -> int:
    """argparse type of --workers: an integer from 1 to 64."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"số tiến trình phải là số nguyên từ 1 đến 64, không phải «{text}»")
    return int(text)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening (IPv4 or IPv6, as host resolves)."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    return socket.create_server(address[:2], family=family, backlog=1024)


def serve(app, sock: socket.socket, threads: int, workers: int) -> int:
    """Serve app on a listening socket with workers processes of threads threads each; the exit status."""
    with sock:
        if workers == 1:
            serve_socket(app, sock, threads)
            return 0
        return Supervisor(app, sock, threads, workers).run()


@dataclass
class Slot:
    """A supervised worker's place: its parent's pid, and its entry in the shared connection counts."""
    parent: int
    counts: object  # a multiprocessing.RawArray of ints, one per worker
    number: int


def serve_socket(app, sock: socket.socket, threads: int, slot: Slot | None = None) -> None:
    """Open the app's index, then serve the socket with waitress until SIGTERM, SIGINT or (for a
    supervised worker) the parent's death."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked while the parent forked us
    logging.basicConfig()
    refresh_index(app)
    server = waitress.create_server(app, sockets=[sock], threads=threads, ident="search_app")
    if slot is not None:
        _accept_when_least_busy(server, slot)
    threading.Thread(target=_keep_fresh, args=(app, slot and slot.parent), daemon=True).start()
    server.run()


def _exit(signum, frame):
    raise SystemExit(0)  # waitress then lets its threads finish their requests


def refresh_index(app) -> None:
    """Open the app's index, or serve the generation a build swapped in since it was opened; a
    generation new to this worker is searched once first (indexer.warm_up), not by its first reader."""
    with app.app_context():
        try:
            index = views.get_index()
            index.refresh()
            _warm(app, index)
        except indexer.IndexNotFound:
            pass  # the app answers 503 until an index is built
        except indexer.ClusterError as e:  # the app answers 503 until the cluster answers
            logging.getLogger("search_app").error("%s", e)


def _warm(app, index) -> None:
    """Warm up the index's generation unless this worker has (a cluster's: once; its shards stay
    loaded); once, even if it fails: a reader's search then says why."""
    generation = getattr(index, "generation", None)
    if app.extensions.get(WARMED, ()) != generation:
        app.extensions[WARMED] = generation
        indexer.warm_up(index)


def _keep_fresh(app, parent: int | None) -> None:
    """Every second, refresh the index even without requests (so an idle worker releases the files
    of a replaced generation); SIGTERM this worker once its parent has died."""
    while parent is None or os.getppid() == parent:
        time.sleep(1)
        try:
            refresh_index(app)
        except Exception:  # the thread must go on; requests report the error too
            logging.getLogger("search_app").exception("refreshing the index failed")
    os.kill(os.getpid(), signal.SIGTERM)


def _accept_when_least_busy(server, slot: Slot) -> None:
    """Let server accept connections only while it holds no more than the least busy worker.

    Otherwise whichever worker wakes first takes most of a burst of keep-alive connections, and
    another may get none: its core idles and its clients' latency doubles."""
    readable = server.readable

    def balanced() -> bool:
        slot.counts[slot.number] = len(server.active_channels)
        return readable() and slot.counts[slot.number] <= min(slot.counts)

    server.readable = balanced


class Supervisor:
    """Runs the worker processes: starts them, restarts a dead one, stops them all on a signal."""

    def __init__(self, app, sock: socket.socket, threads: int, count: int):
        self.args = (app, sock, threads)
        self.count = count
        self.counts = multiprocessing.RawArray("i", count)  # open connections of each worker
        self.workers: list[multiprocessing.Process] = []
        self.started: dict[int, float] = {}  # worker pid -> when it started
        self.stopping = False
        self.quick_exits = 0

    def run(self) -> int:
        """Supervise until a signal (exit status 0) or a crash loop (1)."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._stop)
        for i in range(self.count):
            self.workers.append(self._start(i))
        if self.stopping:  # a signal came while workers were starting: stop those started after it
            self._stop(signal.SIGTERM, None)
        while not self.stopping:
            wait([w.sentinel for w in self.workers], timeout=1)
            if not self.stopping and not self._replace_dead():
                print("Lỗi: các tiến trình phục vụ liên tục dừng ngay khi khởi động.", file=sys.stderr)
                self._stop(signal.SIGTERM, None)
        self._join_all()
        return 1 if self.quick_exits >= CRASH_LOOP else 0

    def _start(self, number: int) -> multiprocessing.Process:
        self.counts[number] = REPLACED
        slot = Slot(os.getpid(), self.counts, number)
        worker = multiprocessing.get_context("fork").Process(target=serve_socket, args=(*self.args, slot),
                                                             name="search_app worker")
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # until the worker has its handlers
        try:
            worker.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        self.started[worker.pid] = time.monotonic()
        return worker

    def _replace_dead(self) -> bool:
        """Start a new worker for each dead one; False once they keep dying right away."""
        for i, worker in enumerate(self.workers):
            if worker.is_alive():
                continue
            quick = time.monotonic() - self.started.pop(worker.pid) < QUICK_EXIT_SECONDS
            self.quick_exits = self.quick_exits + 1 if quick else 0
            if self.quick_exits >= CRASH_LOOP:
                return False
            print(f"Tiến trình phục vụ {worker.pid} đã dừng (mã {worker.exitcode}); "
                  "đang khởi động tiến trình thay thế.", file=sys.stderr, flush=True)
            self.workers[i] = self._start(i)
        return True

    def _stop(self, signum, frame) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.is_alive():
                os.kill(worker.pid, signal.SIGTERM)

    def _join_all(self) -> None:
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join()
