"""Shared fixtures: a real index built once from test articles plus seeds/, and Flask apps on it;
a module's own index of its ARTICLES (index_dir, index, index_client)."""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
BAOMOI = Path(os.environ.get("VNSEARCH_SHARED", REPO.parent / "shared")) / "corpus" / "baomoi.jsonl.gz"
SEED_FILE = "000_40d61abefe57256a.txt"     # the real Hải Phòng news page the project was made from
SEED_ID = "seeds/" + SEED_FILE
SEED_TITLE = "Quận Dương Kinh: Điểm sáng về thực hiện Nghị quyết 28-NQ/TW của Thành ủy"
CITY_FILE = "nghi-quyet-28-giao-thong-do-thi.txt"
# An article written for the tests: codes, a dotted number, both tone placements, a byline in
# capitals and every kind of site chrome, one paragraph a line.
CITY_TEXT = """Thành phố triển khai Nghị quyết 28-NQ/TU về phát triển giao thông đô thị
10:39 17/11/2019
Sáng 17/11/2019, Ban Thường vụ Thành ủy tổ chức hội nghị quán triệt và triển khai Nghị quyết 28-NQ/TU về phát triển hạ tầng giao thông đô thị giai đoạn 2020 - 2025, tầm nhìn đến năm 2030.
Theo nghị quyết, thành phố sẽ ưu tiên đầu tư các tuyến đường vành đai, mở rộng mạng lưới xe buýt và kết nối với TP.HCM qua tuyến cao tốc mới. Tổng vốn dự kiến cho giai đoạn đầu khoảng 12.500 tỷ đồng, trong đó ngân sách địa phương chiếm 40%.
Phát biểu tại hội nghị, Bí thư Thành ủy nhấn mạnh việc giải phóng mặt bằng phải bảo đảm hài hoà quyền lợi của người dân, Nhà nước và doanh nghiệp. Các dự án chậm tiến độ quá 12 tháng sẽ bị thu hồi để giao cho nhà đầu tư có năng lực.
Ông Nguyễn Văn Thuỷ, Giám đốc Sở Giao thông vận tải, cho biết sở đã lập danh mục 15 công trình trọng điểm, trong đó có cầu Hoà Bình bắc qua sông Cái và nút giao phía tây thành phố. Mỗi công trình đều có một lãnh đạo sở trực tiếp theo dõi.
Nghị quyết cũng đặt mục tiêu giảm 20% số vụ tai nạn giao thông mỗi năm, xử lý dứt điểm các điểm đen và ùn tắc tại cửa ngõ thành phố trước mùa mưa bão.
Quang cảnh hội nghị triển khai Nghị quyết 28-NQ/TU sáng 17/11. Ảnh: Minh Khoa
MINH KHOA
Từ khóa: nghị quyết, giao thông đô thị, hạ tầng
Bình luận của bạn về bài viết...
Gửi bình luận
Nhập mã captcha
Bản tin Pháp luật
Video clip
Phóng sự ảnh
An toàn giao thông
"""
SLASH_ID = "thoi-su/2024/05/khanh-thanh-cau-song-han"
ODD_ID = "tin nhanh/đặc biệt?số=1#a"
XSS_ID = "xss-ma-doc"
XSS = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
PROVINCES = ["Quảng Ninh", "Hải Phòng", "Thái Bình", "Nam Định", "Thanh Hóa", "Nghệ An",
             "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam",
             "Quảng Ngãi", "Bình Định"]


def storm_articles() -> list[dict]:
    """Fourteen storm reports (more than one page of results for "bão"), one every 20 days of 2023."""
    start = datetime(2023, 1, 5, 7, 30)
    return [{
        "id": f"thoi-tiet/bao-so-{n}",
        "title": f"Bão số {n} đổ bộ vào {province}, hàng nghìn hộ dân phải sơ tán",
        "body": (f"Chiều qua, bão số {n} đã đổ bộ vào các huyện ven biển tỉnh {province} với sức gió "
                 f"mạnh cấp {8 + n % 4}, giật trên cấp 10.\n"
                 f"Ban chỉ huy phòng chống thiên tai tỉnh {province} đã sơ tán {n * 1200} hộ dân "
                 "khỏi vùng trũng thấp và cấm tàu thuyền ra khơi.\n"
                 "Mưa lớn kéo dài khiến nhiều tuyến đường bị ngập sâu, giao thông bị chia cắt."),
        "date": (start + timedelta(days=20 * n)).isoformat(),
        "url": f"https://baomau.vn/thoi-tiet/bao-so-{n}.html",
        "source": "Báo Mẫu",
        "category": "Thời tiết",
    } for n, province in enumerate(PROVINCES, start=1)]


def other_articles() -> list[dict]:
    """Articles with an id holding "/", odd characters, no date, and one made of XSS payloads."""
    return [
        {"id": SLASH_ID, "title": "Khánh thành cầu vượt sông Hàn mới tại Đà Nẵng",
         "lead": "Cây cầu dài 1,2 km nối hai bờ sông Hàn được đưa vào sử dụng sáng nay.",
         "body": "Sáng 20/5, thành phố Đà Nẵng tổ chức lễ khánh thành cầu vượt sông Hàn mới.\n"
                 "Công trình có tổng vốn đầu tư 2.100 tỷ đồng, thi công trong 30 tháng.\n"
                 "Người dân hai quận Hải Châu và Sơn Trà mừng vì bớt cảnh ùn tắc giờ cao điểm.",
         "date": "2024-05-20T09:15:00", "url": "https://example.vn/thoi-su/cau-song-han.html",
         "source": "Báo Đà Nẵng", "author": "Trần Thị Mai", "category": "Thời sự"},
        {"id": ODD_ID, "title": "Giá xăng giảm lần thứ ba liên tiếp",
         "body": "Liên Bộ Công Thương - Tài chính quyết định giảm giá xăng RON 95 thêm 500 đồng mỗi lít.\n"
                 "Giá dầu diesel giữ nguyên.",
         "source": "Tin nhanh"},
        {"id": XSS_ID, "title": f"{XSS} Cảnh báo mã độc lây qua tin nhắn",
         "body": f"Chuyên gia cảnh báo mã độc mới {XSS} đang lây lan.\n"
                 f"Đoạn thứ hai cũng chứa {XSS} để thử thoát ký tự.",
         "date": "2024-02-01T08:00:00", "url": "javascript:alert(1)",
         "source": '<b onmouseover="alert(1)">Nguồn lạ</b>', "author": XSS},
    ]


def baomoi_articles(count: int | None = None, titled: str | None = None, holding: str | None = None) -> list[dict]:
    """The first count articles of the shared baomoi corpus (all: None), those whose titles match the
    pattern titled (when given), or whose title or body match holding, only; skips the test without it."""
    if not BAOMOI.exists():
        pytest.skip(f"{BAOMOI} is missing (set VNSEARCH_SHARED): the test reads real articles")
    with gzip.open(BAOMOI, "rt", encoding="utf-8") as f:
        articles = (json.loads(line) for line in f)
        return list(islice((a for a in articles if (titled is None or re.search(titled, a["title"]))
                            and (holding is None or re.search(holding, f"{a['title']}\n{a['body']}"))), count))


def article(doc_id: str, title: str, body: str) -> dict:
    """An article record as a JSONL export holds it (id, title, body)."""
    return {"id": doc_id, "title": title, "body": body}


def usage_error(done, command: str) -> str:
    """The error line of a command line refused as bad usage: exit 2, argparse's shape (the
    command's usage, then "python -m indexer COMMAND: error: why")."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and lines[0].startswith(f"usage: python -m indexer {command} "), done.stderr
    assert lines[-1].startswith(f"python -m indexer {command}: error: "), done.stderr
    assert sum(": error: " in line for line in lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[-1]


def failure_line(done, command: str) -> str:
    """The one line of a command that failed (exit 1): "python -m indexer COMMAND: error: why"."""
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"python -m indexer {command}: error: "), done.stderr
    return done.stderr


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as a JSONL file and return its path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def index_of(tmp_path_factory, name: str, articles: list[dict]) -> Path:
    """An index of these articles, built in a fresh temporary folder named after name."""
    indexer = pytest.importorskip("indexer")
    root = tmp_path_factory.mktemp(name)
    indexer.build_index([write_jsonl(root / "articles.jsonl", articles)], root / "index", procs=1)
    return root / "index"


def opened_index(name: str, articles: list[dict]):
    """A module fixture: an index of these articles (see index_of), built once and open."""
    @pytest.fixture(scope="module")
    def opened(tmp_path_factory):
        indexer = pytest.importorskip("indexer")
        with indexer.open_index(index_of(tmp_path_factory, name, articles)) as index:
            yield index
    return opened


@pytest.fixture(scope="module")
def index_dir(request, tmp_path_factory) -> Path:
    """An index of the test module's ARTICLES, built once per module (a module may define its own)."""
    return index_of(tmp_path_factory, request.module.__name__.removeprefix("test_"), request.module.ARTICLES)


@pytest.fixture(scope="module")
def index(index_dir):
    """The module's index (index_dir), open for searching."""
    indexer = pytest.importorskip("indexer")
    with indexer.open_index(index_dir) as opened:
        yield opened


@pytest.fixture
def index_client(index_dir):
    """A test client for a fresh app on the module's index (index_dir), closed after the test."""
    app = make_app(str(index_dir))
    yield app.test_client()
    close_index(app)


@pytest.fixture
def page_of(monkeypatch):
    """set(n): words are dropped until n articles hold the rest (search.RELAX_PAGE, 10: the web
    app's page), for a module of a few articles."""
    search = pytest.importorskip("indexer.search")
    return lambda size: monkeypatch.setattr(search, "RELAX_PAGE", size)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory):
    """A real index of the test articles and seeds/, built once per session."""
    indexer = pytest.importorskip("indexer")
    folder = tmp_path_factory.mktemp("web_index")
    corpus = write_jsonl(folder / "articles.jsonl", storm_articles() + other_articles())
    report = indexer.build_index([str(corpus), str(SEEDS)], str(folder / "index"))
    return SimpleNamespace(dir=str(folder / "index"), report=report)


def make_app(index_dir: str, **config):
    """A testing app on index_dir."""
    from search_app import create_app

    return create_app({"TESTING": True, "INDEX_DIR": index_dir, **config})


@contextmanager
def waitress_serving(app, threads: int):
    """app served by waitress on a free port of 127.0.0.1 in a background thread: its address. The
    server is closed from its own loop's thread (closed from another, the loop's select saw a closed
    descriptor: an unhandled EBADF in the thread)."""
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(server.close)
        thread.join(timeout=5)


def close_index(app) -> None:
    """Close the index an app opened, if any."""
    index = app.extensions.pop("search_index", None)
    if index is not None and hasattr(index, "close"):
        index.close()


@pytest.fixture
def app(built_index):
    """The app on the session index."""
    app = make_app(built_index.dir)
    yield app
    close_index(app)


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def missing_client(tmp_path):
    """A test client for an app whose index folder holds no index."""
    return make_app(str(tmp_path / "no_index")).test_client()
