"""Serve the search app with waitress: python -m search_app [--index DIR] [--host H] [--port P]."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import indexer

from . import create_app
from .serve import default_workers, serve, worker_count

SEEDS = "seeds"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m search_app", description=__doc__)
    parser.add_argument("--index", default=os.environ.get("INDEX_DIR", "index_data"),
                        help="index folder (default: $INDEX_DIR or index_data/)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process (default 8)")
    parser.add_argument("--workers", type=worker_count, default=default_workers(),
                        help="worker processes (default: one per core, here %(default)s)")
    return parser.parse_args(argv)


def index_exists(index_dir: str) -> bool:
    """Whether an index can be opened in index_dir."""
    try:
        with indexer.open_index(index_dir):
            return True
    except indexer.IndexNotFound:
        return False


def ensure_index(index_dir: str) -> None:
    """Build the index from seeds/ when index_dir holds none yet."""
    if index_exists(index_dir):
        return
    seeds = SEEDS if Path(SEEDS).is_dir() else str(Path(__file__).resolve().parent.parent / SEEDS)
    print(f"Chưa có chỉ mục ở {index_dir}: đang xây dựng từ {seeds} ...", flush=True)
    report = indexer.build_index([seeds], index_dir)
    print(f"Đã lập chỉ mục {report.indexed} bài trong {report.seconds:.1f} giây"
          f" ({len(report.skipped)} mục bị bỏ qua).", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Build the index if needed, then serve the app until interrupted."""
    args = parse_args(argv)
    try:
        ensure_index(args.index)
    except Exception as exc:  # a one-line reason instead of a traceback
        print(f"Lỗi: không xây dựng được chỉ mục ở {args.index}: {exc}", file=sys.stderr)
        return 1
    app = create_app({"INDEX_DIR": args.index})
    print(f"Đang phục vụ tại http://{args.host}:{args.port}/ (chỉ mục: {args.index}); "
          "Ctrl+C để dừng.", flush=True)
    return serve(app, args.host, args.port, args.threads, args.workers)


if __name__ == "__main__":
    sys.exit(main())
