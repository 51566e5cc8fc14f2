"""Syndicated copies grouped and related articles (issue 14 parts 3, 4), through the public interface.

Two outlets carry one flood report, lightly edited (another title, a few words, a caption); a
third reports the relief that followed (related, not a copy); fourteen storm reports and a school
notice are unrelated. The copies are one result (``Hit.duplicates``), through updates and merges,
until an update makes them different; ``group=False`` lists them apart.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from conftest import REPO, close_index, make_app, storm_articles, write_jsonl

import indexer

FLOOD = [
    "Mưa lớn kéo dài nhiều ngày qua đã khiến nước sông Lam dâng cao, nhấn chìm hàng nghìn ngôi nhà ở các "
    "huyện miền núi tỉnh Nghệ An.",
    "Theo Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn tỉnh, đến chiều 14/10 đã có 3 người thiệt "
    "mạng, 2 người mất tích khi đi qua ngầm tràn ở huyện Con Cuông.",
    "Lực lượng bộ đội biên phòng, công an và dân quân đã dùng xuồng máy sơ tán hơn 4.200 hộ dân khỏi vùng "
    "ngập sâu, đưa người già và trẻ nhỏ tới trường học và trụ sở ủy ban xã.",
    "Quốc lộ 7 bị sạt lở tại nhiều điểm, giao thông lên các xã vùng cao bị chia cắt hoàn toàn; hàng trăm "
    "hécta lúa và hoa màu sắp thu hoạch bị vùi lấp.",
    "Chủ tịch UBND tỉnh yêu cầu các địa phương không để người dân thiếu đói, khẩn trương khắc phục đường "
    "sá, bảo đảm nước sạch và phòng dịch bệnh sau khi nước rút.",
    "Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết mưa còn kéo dài đến hết ngày mai, nguy cơ lũ "
    "quét và sạt lở đất ở vùng núi phía tây vẫn ở mức cao.",
]
EDITED = [p.replace("hàng nghìn ngôi nhà", "hàng ngàn ngôi nhà").replace("đã dùng xuồng máy", "dùng xuồng máy")
          .replace("chiều 14/10", "chiều ngày 14/10") for p in FLOOD]
FIRST = {"id": "lu/bao-mot", "title": "Lũ lớn nhấn chìm hàng nghìn nhà dân ở Nghệ An, 3 người thiệt mạng",
         "body": "\n".join(FLOOD), "source": "Báo Một", "url": "https://baomot.vn/lu-nghe-an.html",
         "date": "2024-10-14T18:00:00"}
COPY = {"id": "lu/bao-hai", "title": "Nghệ An: nước sông Lam dâng cao, hơn 4.200 hộ dân phải sơ tán",
        "body": "\n".join(EDITED) + "\nẢnh: CTV", "source": "Báo Hai", "url": "https://baohai.vn/song-lam.html",
        "date": "2024-10-14T19:30:00"}
RELIEF = {"id": "lu/cuu-tro", "title": "Gửi hàng cứu trợ tới vùng lũ Nghệ An", "source": "Báo Ba",
          "body": "Sau trận lũ lớn ở Nghệ An, nhiều đoàn thiện nguyện từ Hà Nội và Thanh Hóa đã mang gạo, mì tôm "
                  "và nước sạch tới các xã bị ngập ở huyện Con Cuông.\nỦy ban Mặt trận Tổ quốc tỉnh tiếp nhận "
                  "hơn 5 tỷ đồng ủng hộ người dân vùng lũ sông Lam, ưu tiên các gia đình có người thiệt mạng.\n"
                  "Nhiều tuyến đường lên vùng cao vẫn sạt lở nên hàng cứu trợ phải chuyển bằng xuồng.",
          "date": "2024-10-17T08:00:00"}
SCHOOL = ("Sáng nay, Sở Giáo dục và Đào tạo công bố lịch thi tuyển sinh vào lớp 10 với ba môn bắt buộc là toán, "
          "ngữ văn và tiếng Anh. Thí sinh đăng ký nguyện vọng trực tuyến từ đầu tháng 4, mỗi em được chọn tối đa "
          "ba trường công lập. Sở khuyến cáo phụ huynh cân nhắc học lực của con để tránh áp lực không cần thiết.")
QUERY = "lũ Nghệ An"


def articles(copy: dict = COPY) -> list[dict]:
    return [FIRST, copy, RELIEF, {"id": "giao-duc/tuyen-sinh", "title": "Lịch thi lớp 10", "body": SCHOOL},
            {"id": "la/rieng", "title": "Xyzzy", "body": "Qwrtp zxcvb plugh."}]


def build(folder, copy: dict = COPY):
    """An index of the articles (plus the storm reports) in folder/ix, from folder/news.jsonl."""
    source = write_jsonl(folder / "news.jsonl", articles(copy) + storm_articles())
    indexer.build_index([source], folder / "ix", procs=1, notice=lambda m: None)
    return source


def update(folder, copy: dict) -> None:
    write_jsonl(folder / "news.jsonl", articles(copy) + storm_articles())
    indexer.update_index([folder / "news.jsonl"], folder / "ix", procs=1, notice=lambda m: None)


def flood_hits(folder, **kw) -> list[tuple[str, list[str]]]:
    with indexer.open_index(folder / "ix") as index:
        return [(h.doc_id, h.duplicates) for h in index.search(QUERY, **kw) if h.doc_id.startswith("lu/b")]


def assert_grouped(hits) -> None:
    """One of the two copies is listed, the other as its duplicate."""
    assert sorted([hit] + copies for hit, copies in hits) in ([["lu/bao-mot", "lu/bao-hai"]], [["lu/bao-hai", "lu/bao-mot"]])


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dups")
    build(folder)
    return folder


def test_the_copies_are_one_result_listed_as_the_best_ranked_with_the_other_ids(news):
    with indexer.open_index(news / "ix") as index:
        results = index.search(QUERY)
        ungrouped = index.search(QUERY, group=False)
    first = [h for h in ungrouped if h.doc_id.startswith("lu/b")][0]  # the better ranked of the two
    other = {"lu/bao-mot": "lu/bao-hai", "lu/bao-hai": "lu/bao-mot"}[first.doc_id]
    assert [(h.doc_id, h.duplicates) for h in results if h.doc_id.startswith("lu/b")] == [(first.doc_id, [other])]
    assert results.total == ungrouped.total - 1 and results.copies == 1 and ungrouped.copies == 0
    assert {h.doc_id for h in ungrouped} >= {"lu/bao-mot", "lu/bao-hai"}
    assert all(h.duplicates == [] for h in ungrouped)
    assert next(h for h in results if h.doc_id == first.doc_id).to_dict()["duplicates"] == [other]


def test_unrelated_and_merely_similar_articles_are_not_grouped(news):
    with indexer.open_index(news / "ix") as index:
        storms = index.search("bão", limit=20)
        relief = index.search("cứu trợ")
    reports = [h for h in storms if h.doc_id.startswith("thoi-tiet/")]
    assert len(reports) == 14 and not any(h.duplicates for h in reports)  # one template, all different
    assert [h.duplicates for h in relief if h.doc_id == "lu/cuu-tro"] == [[]]


def test_copies_stay_grouped_after_an_update_and_a_merge_and_part_when_made_different(tmp_path):
    build(tmp_path)
    corrected = dict(COPY, title="Nghệ An: hơn 4.200 hộ dân phải sơ tán vì lũ", body=COPY["body"] + "\nTheo TTXVN")
    update(tmp_path, corrected)
    assert_grouped(flood_hits(tmp_path))
    with indexer.open_index(tmp_path / "ix") as index:  # the updated copy is in a segment of its own
        assert [h.doc_id for h in index.related("lu/bao-hai")][:1] == ["lu/cuu-tro"]
    indexer.optimize_index(tmp_path / "ix", procs=1, notice=lambda m: None)
    assert_grouped(flood_hits(tmp_path))
    update(tmp_path, dict(corrected, body=SCHOOL.replace("lớp 10", "lớp 10 sau trận lũ ở Nghệ An")))
    assert sorted(flood_hits(tmp_path)) == [("lu/bao-hai", []), ("lu/bao-mot", [])]


def test_a_generations_copy_groups_are_saved_and_read_back_alike(tmp_path):
    build(tmp_path)
    grouped = flood_hits(tmp_path)  # the first process to open the generation groups and saves
    saved = indexer.store.current_generation(tmp_path / "ix") / indexer.store.GROUPS_FILE
    assert saved.is_file() and sorted(grouped) == sorted(flood_hits(tmp_path))  # the next reads them
    saved.write_bytes(b"damaged")
    assert sorted(flood_hits(tmp_path)) == sorted(grouped)  # grouped again
    assert_grouped(grouped)


EXAM = ("Sáng nay hơn tám trăm nghìn thí sinh cả nước bước vào buổi thi môn Vật lý của kỳ thi tốt nghiệp, thời gian "
        "làm bài năm mươi phút với bốn mươi câu trắc nghiệm. Theo Bộ Giáo dục, nội dung đề thi nằm trong chương trình "
        "lớp mười hai, bám sát sách giáo khoa. Đề thi và bài thi được bảo quản trong tủ riêng có khóa và niêm phong, "
        "chỉ mở khi có chứng kiến của công an. Phần mềm chấm thi trắc nghiệm được nâng cấp để tăng tính bảo mật. "
        "Báo sẽ cập nhật đáp án tham khảo ngay sau khi buổi thi kết thúc, mời quý vị đón xem.")


def exam_page(doc_id: str, code: int, outlet: str) -> dict:
    """One outlet's answer page for one exam code: the same text on every page but for the code."""
    return {"id": doc_id, "title": f"Đáp án đề thi môn Vật lý 2019 mã đề {code}", "source": outlet,
            "lead": f"Đề thi môn Vật lý mã đề {code} được cập nhật nhanh nhất.", "body": EXAM}


def test_template_pages_whose_titles_name_other_numbers_are_not_copies(tmp_path):
    pages = [exam_page("thi/201", 201, "Báo Một"), exam_page("thi/222", 222, "Báo Một"),
             exam_page("thi/201-lai", 201, "Báo Hai")]
    indexer.build_index([write_jsonl(tmp_path / "exam.jsonl", pages + articles())], tmp_path / "ix",
                        procs=1, notice=lambda m: None)
    with indexer.open_index(tmp_path / "ix") as index:
        found = {h.doc_id: h.duplicates for h in index.search("đáp án Vật lý")}
        flood = [(h.doc_id, h.duplicates) for h in index.search(QUERY) if h.doc_id.startswith("lu/b")]
    assert found.get("thi/222") == [] and sorted([found.get("thi/201"), found.get("thi/201-lai")], key=str) \
        in ([None, ["thi/201-lai"]], [None, ["thi/201"]])  # code 222 apart; the two 201 pages one result
    assert_grouped(flood)  # titles naming other numbers (3; 4.200) that the other's text holds: copies


def test_related_articles_are_alike_but_never_the_article_or_its_copies(news):
    with indexer.open_index(news / "ix") as index:
        related = index.related("lu/bao-mot")
        assert index.related("lu/khong-co") is None
        assert index.related("la/rieng") == []  # no word another article holds
        assert len(index.related("lu/bao-mot", limit=2)) == 2
        with pytest.raises(indexer.QueryError):
            index.related("lu/bao-mot", limit=0)
    ids = [h.doc_id for h in related]
    assert ids[0] == "lu/cuu-tro" and len(ids) <= 5
    assert not {"lu/bao-mot", "lu/bao-hai"} & set(ids)


@pytest.fixture(scope="module")
def client(news):
    app = make_app(str(news / "ix"))
    yield app.test_client()
    close_index(app)


def test_the_results_page_shows_one_result_per_group_with_its_copies_in_details(client):
    page = client.get("/search", query_string={"q": QUERY}).get_data(as_text=True)
    assert page.count("<details class=\"copies\">") == 1 and "1 bài cùng nội dung" in page
    assert ("/article/lu/bao-hai" in page) and ("/article/lu/bao-mot" in page)  # the copy is linked inside
    assert "group=false" in page  # "hiện tất cả"
    ungrouped = client.get("/search", query_string={"q": QUERY, "group": "false"}).get_data(as_text=True)
    assert "<details class=\"copies\"" not in ungrouped and "bài cùng nội dung" not in ungrouped


def test_the_tips_count_the_results_their_link_lists_the_undated_note_the_articles(tmp_path):
    """With a date range that leaves nothing, the page says how many matching articles are undated
    (copies included) and how many results the words find without the range (what its link lists:
    copies folded, as the facets and the limits count)."""
    undated_copies = [{k: v for k, v in a.items() if k != "date"} for a in (FIRST, COPY)]
    indexer.build_index([write_jsonl(tmp_path / "news.jsonl", undated_copies + [RELIEF] + storm_articles())],
                        tmp_path / "ix", procs=1, notice=lambda m: None)
    app = make_app(str(tmp_path / "ix"))
    try:
        client, args = app.test_client(), {"q": QUERY, "from": "2030-01-01", "to": "2030-12-31"}
        page = client.get("/search", query_string=args).get_data(as_text=True)
        grouped = client.get("/api/search", query_string={"q": QUERY}).get_json()
    finally:
        close_index(app)
    assert grouped["copies"] == 1 and "Không tìm thấy kết quả" in page
    assert "2 bài phù hợp không có ngày đăng" in page
    assert f"«{QUERY}» có {grouped['total']} bài phù hợp khi bỏ bộ lọc" in page


def test_copies_without_a_source_name_the_site_they_come_from(tmp_path):
    unnamed = [{k: v for k, v in a.items() if k != "source"} for a in (FIRST, COPY)]
    source = write_jsonl(tmp_path / "news.jsonl", unnamed + storm_articles())
    indexer.build_index([source], tmp_path / "ix", procs=1, notice=lambda m: None)
    app = make_app(str(tmp_path / "ix"))
    try:
        page = app.test_client().get("/search", query_string={"q": QUERY}).get_data(as_text=True)
    finally:
        close_index(app)
    copies = page.split('<details class="copies">')[1].split("</details>")[0]
    assert 'class="source">baohai.vn</span>' in copies or 'class="source">baomot.vn</span>' in copies


FILLER = ("kinh tế thị trường doanh nghiệp xuất khẩu nông sản giá cả hàng hóa người dân thành phố học sinh giáo "
          "viên bệnh viện bác sĩ điều trị bóng đá cầu thủ trận đấu giải vô địch ngân hàng lãi suất tín dụng chính "
          "phủ quốc hội đại biểu du lịch khách sạn mùa hè công nghệ điện thoại ứng dụng").split()
CRASH = [("Xe khách lao xuống vực trên đèo Hải Vân, 5 người chết",
          "Rạng sáng nay, một xe khách 45 chỗ mất lái rồi lao xuống vực sâu trên đèo Hải Vân. Tài xế Giàng A Páo "
          "bị thương nặng. Giàng A Páo cho biết xe bị mất phanh. Vợ Giàng A Páo đã tới bệnh viện."),
         ("Khởi tố vụ xe khách gặp nạn ở Hải Vân", "Công an khởi tố vụ án, xe khách đã được cẩu lên khỏi đèo."),
         ("Nhân chứng kể lại phút xe khách gặp nạn", "Người dân sống dưới chân đèo Hải Vân nghe tiếng động lớn."),
         ("Danh tính nạn nhân vụ xe khách ở đèo Hải Vân", "Cơ quan chức năng đã công bố danh tính các nạn nhân."),
         ("Cấm xe khách qua đèo Hải Vân", "Sau vụ tai nạn, xe trên 30 chỗ phải đi qua hầm.")]
NAMESAKE = {"id": "nong-san/pao", "title": "Giàng A Páo mang mận xuống chợ",
            "body": "Giàng A Páo bán mận ở chợ phiên. Giàng A Páo nói mận được giá."}


def story_among_fillers(count: int = 2000) -> list[dict]:
    """Five reports of one crash, an article sharing only the driver's name with the first, and count
    articles of generic words (an archive large enough for the related terms' document frequency floor)."""
    crash = [{"id": f"xe-khach/{n}", "title": title, "body": body} for n, (title, body) in enumerate(CRASH)]
    draw = random.Random(2026)
    fillers = [{"id": f"tin/{n}", "title": " ".join(draw.choices(FILLER, k=8)),
                "body": " ".join(draw.choices(FILLER, k=60))} for n in range(count)]
    return crash + [NAMESAKE] + fillers


def test_related_articles_are_found_by_the_story_not_by_a_name_only_one_other_article_holds(tmp_path):
    """The driver's name, which only an unrelated article holds too, pulls that article above the
    other reports of the crash when every shared term counts (as before RELATED_MIN_DF)."""
    indexer.build_index([write_jsonl(tmp_path / "news.jsonl", story_among_fillers())], tmp_path / "ix",
                        procs=1, notice=lambda m: None)
    with indexer.open_index(tmp_path / "ix") as index:
        related = [h.doc_id for h in index.related("xe-khach/0")]
    assert sorted(related[:4]) == [f"xe-khach/{n}" for n in range(1, 5)]


def test_the_json_api_gives_duplicates_copies_and_related(client):
    grouped = client.get("/api/search", query_string={"q": QUERY}).get_json()
    ungrouped = client.get("/api/search", query_string={"q": QUERY, "group": "false"}).get_json()
    assert grouped["copies"] == 1 and grouped["total"] == ungrouped["total"] - 1 and ungrouped["copies"] == 0
    assert sorted(h["duplicates"] for h in grouped["hits"] if h["duplicates"]) in ([["lu/bao-hai"]], [["lu/bao-mot"]])
    related = client.get("/api/related/lu/bao-mot").get_json()
    assert related["id"] == "lu/bao-mot" and related["related"][0]["id"] == "lu/cuu-tro"
    assert client.get("/api/related/lu/khong-co").status_code == 404


def test_the_article_page_lists_related_articles(client):
    page = client.get("/article/lu/bao-mot").get_data(as_text=True)
    related = page.split('class="related"')[1]
    assert "Bài liên quan" in related and "/article/lu/cuu-tro" in related and "/article/lu/bao-hai" not in related


def test_an_article_lists_its_copies_in_python_on_its_page_and_in_the_json_api(client, news):
    with indexer.open_index(news / "ix") as index:
        copies = index.copies("lu/bao-mot")
        assert [a.id for a in copies] == ["lu/bao-hai"] and copies[0].source == "Báo Hai"
        assert [a.id for a in index.copies("lu/bao-hai")] == ["lu/bao-mot"]
        assert index.copies("lu/cuu-tro") == [] and index.copies("lu/khong-co") is None
    page = client.get("/article/lu/bao-mot").get_data(as_text=True)
    listed = page.split('class="copies"')[1].split("</aside>")[0]
    assert "1 bài cùng nội dung" in listed and "/article/lu/bao-hai" in listed and COPY["title"] in listed
    assert "Báo Hai" in listed and "14/10/2024 19:30" in listed
    assert 'class="copies"' not in client.get("/article/lu/cuu-tro").get_data(as_text=True)
    data = client.get("/api/article/lu/bao-mot").get_json()
    assert data["copies"] == [{"id": "lu/bao-hai", "title": COPY["title"], "date": "2024-10-14T19:30:00",
                               "url": COPY["url"], "source": "Báo Hai", "site": "baohai.vn"}]
    assert client.get("/api/article/lu/cuu-tro").get_json()["copies"] == []


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=REPO, capture_output=True, text=True)


def test_the_command_line_lists_copies_under_their_result_and_related_articles(news):
    grouped = run_cli("search", QUERY, "--index", news / "ix")
    assert grouped.returncode == 0 and "1 syndicated copy grouped" in grouped.stdout
    assert grouped.stdout.count("same text: lu/bao-") == 1
    ungrouped = run_cli("search", QUERY, "--no-group", "--json", "--index", news / "ix")
    assert json.loads(ungrouped.stdout)["copies"] == 0
    related = run_cli("related", "lu/bao-mot", "--index", news / "ix")
    assert related.returncode == 0 and related.stdout.startswith("1. Gửi hàng cứu trợ") and "[lu/bao-hai]" not in related.stdout
    got = json.loads(run_cli("get", "lu/bao-hai", "--json", "--index", news / "ix").stdout)
    assert [c["id"] for c in got["copies"]] == ["lu/bao-mot"]
    assert "same text: lu/bao-mot" in run_cli("get", "lu/bao-hai", "--index", news / "ix").stdout
    missing = run_cli("related", "lu/khong-co", "--index", news / "ix")
    assert missing.returncode == 1 and "no article has the id" in missing.stderr
