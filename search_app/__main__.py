"""Serve the search app with waitress: python -m search_app [--index DIR] [--host H] [--port P].

Its messages are in Vietnamese, like the web pages."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

import indexer
from indexer.cli import EXIT_FAILURE, EXIT_USAGE
from indexer.store import NoIndex

from . import create_app
from .views import no_index_said
from .serve import default_workers, listening_socket, serve, worker_count

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = PROJECT / "index_data"  # the project's own index, built from seeds/ on first run
SEEDS = PROJECT / "seeds"
MAX_THREADS = 256

EXAMPLES = """\
ví dụ:
  python -m search_app                                  # chỉ mục của dự án, xây từ seeds/ lần đầu
  python -m search_app --index /tmp/baomoi --port 8080
  python -m search_app --index /shared/news --cluster tcp://10.0.0.1:8786 --replicas 2
  INDEX_DIR=/tmp/baomoi python -m search_app --host 0.0.0.0
"""


ARGPARSE_WORDS = {"the following arguments are required": "thiếu tham số",
                  "unrecognized arguments": "tham số không nhận ra", "expected one argument": "cần một giá trị",
                  "argument ": "tham số ", "usage:": "cách dùng:", "options:": "tùy chọn:",
                  "show this help message and exit": "in hướng dẫn này rồi thoát"}


def _vietnamese(text: str) -> str:
    """argparse's own English phrases put into Vietnamese."""
    for english, vietnamese in ARGPARSE_WORDS.items():
        text = text.replace(english, vietnamese)
    return text


class VietnameseParser(argparse.ArgumentParser):
    """The launcher's argument parser: help and usage errors (argparse's shape) in Vietnamese."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {_vietnamese(message)}\n")

    def format_help(self) -> str:
        return _vietnamese(super().format_help())

    def format_usage(self) -> str:
        return _vietnamese(super().format_usage())


def _bounded_int(label: str, low: int, high: int):
    """An argparse type: a whole number from low to high, with a Vietnamese message."""
    def parse(raw: str) -> int:
        if not raw.strip().isdigit() or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"{label} phải là số nguyên từ {low} đến {high}, không phải «{raw}»")
        return int(raw)
    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = VietnameseParser(prog="python -m search_app", epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Phục vụ trang tìm kiếm tin tức (Flask trên waitress).")
    parser.add_argument("--index", default=os.environ.get("INDEX_DIR"), metavar="THƯ_MỤC",
                        help="thư mục chỉ mục (mặc định: $INDEX_DIR, nếu không thì index_data/ của dự án, "
                             "tự xây từ seeds/ lần chạy đầu)")
    parser.add_argument("--cluster", metavar="ĐỊA_CHỈ", default=None,
                        help="bộ lập lịch Dask (tcp://MÁY:CỔNG): tìm trong chỉ mục chia phần (shard) ở THƯ_MỤC "
                             "trên các worker của cụm")
    parser.add_argument("--replicas", type=_bounded_int("số bản sao", 1, 16), default=1, metavar="SỐ",
                        help="với --cluster: số bản sao của mỗi phần, trên các worker khác nhau (mặc định 1)")
    parser.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    parser.add_argument("--port", type=_bounded_int("cổng", 1, 65535), default=8000, metavar="CỔNG",
                        help="cổng, từ 1 đến 65535 (mặc định 8000)")
    parser.add_argument("--threads", type=_bounded_int("số luồng", 1, MAX_THREADS), default=8, metavar="SỐ",
                        help=f"số luồng xử lý yêu cầu, từ 1 đến {MAX_THREADS} (mặc định 8)")
    parser.add_argument("--workers", type=worker_count, default=default_workers(), metavar="SỐ",
                        help="số tiến trình phục vụ, từ 1 đến 64 (mặc định: một mỗi lõi, ở đây %(default)s)")
    args = parser.parse_args(argv)
    if args.replicas != 1 and not args.cluster:
        parser.error("--replicas chỉ dùng với --cluster: số bản sao của mỗi phần trên các worker của cụm")
    return args


def index_state(index_dir) -> tuple[NoIndex | None, str | None]:
    """(why no index can be opened in index_dir (the core's decision) or None,
    why it should be rebuilt (an older analysis made its terms) or None), opening it once."""
    try:
        with indexer.open_index(index_dir) as index:
            return None, index.outdated_analysis
    except indexer.IndexNotFound as e:
        return e.why, None


def build_default_index(index_dir: Path) -> None:
    """Build the project's own index from its seeds/."""
    print(f"Chưa có chỉ mục ở {index_dir}: đang xây dựng từ {SEEDS} ...", flush=True)
    report = indexer.build_index([SEEDS], index_dir)
    print(f"Đã lập chỉ mục {report.indexed} bài trong {report.seconds:.1f} giây"
          f" ({len(report.skipped)} mục bị bỏ qua).", flush=True)


def check_index(index_dir: str | None, cluster: str | None = None) -> str | None:
    """The index folder to serve, built from seeds/ if it is the project's own and missing; None if unusable."""
    if cluster:
        if indexer.is_sharded(index_dir or ""):
            return index_dir
        print(f"Lỗi: không có chỉ mục chia phần ở {index_dir}. Hãy xây dựng: python -m indexer build NGUỒN "
              f"--index {index_dir} --cluster {cluster} --shards N", file=sys.stderr)
        return None
    if index_dir is None:
        missing, outdated = index_state(DEFAULT_INDEX)
        if missing or outdated:
            build_default_index(DEFAULT_INDEX)
        return str(DEFAULT_INDEX)
    missing, outdated = index_state(index_dir)
    if not missing:
        if outdated:
            print(f"Cảnh báo: chỉ mục ở {index_dir} được xây bằng cách phân tích cũ, một số từ sẽ không được tìm "
                  f"thấy đúng. Hãy xây dựng lại: python -m indexer build NGUỒN --index {index_dir}", file=sys.stderr)
        return index_dir
    print(f"Lỗi: {no_index_said(index_dir, missing)}.", file=sys.stderr)
    return None


def open_socket(args):
    """The listening socket for host:port; None (with a one-line reason) if it cannot be had."""
    try:
        return listening_socket(args.host, args.port)
    except OSError as e:
        reason = "cổng đang được chương trình khác dùng" if e.errno == errno.EADDRINUSE else e.strerror or str(e)
        print(f"Lỗi: không lắng nghe được ở {args.host}:{args.port}: {reason}.", file=sys.stderr)
        return None


def socket_url(sock) -> str:
    """The http:// URL a listening socket answers on."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def main(argv: list[str] | None = None) -> int:
    """Check or build the index, listen, say where, then serve until interrupted."""
    args = parse_args(argv)
    try:
        index_dir = check_index(args.index, args.cluster)
    except Exception as exc:  # a one-line reason instead of a traceback
        print(f"Lỗi: không xây dựng được chỉ mục: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if index_dir is None:
        return EXIT_FAILURE
    sock = open_socket(args)
    if sock is None:
        return EXIT_FAILURE
    app = create_app({"INDEX_DIR": index_dir, "CLUSTER": args.cluster, "REPLICAS": args.replicas})
    print(f"Đang phục vụ tại {socket_url(sock)} (chỉ mục: {index_dir}); "
          f"{args.workers} tiến trình; "
          "Ctrl+C để dừng.", flush=True)
    return serve(app, sock, args.threads, args.workers)


if __name__ == "__main__":
    sys.exit(main())
