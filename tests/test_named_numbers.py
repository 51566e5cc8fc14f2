"""Numbers that name things (issue 12): ``Nghị định 100``, ``quốc lộ 14``, ``lớp 10`` name a decree,
a road, a class. The run of the word and its number counts far more than the number elsewhere, and
when too few articles hold all the words it is not dropped first, as an amount or a day is. Whether
words are dropped does not depend on how many results the caller asked for."""

from __future__ import annotations

import pytest

from conftest import article
from indexer import search
from indexer.query import named_numbers


# the decree named in a body; and bodies holding "nghị định" and "100" apart, each twice
DECREE = article("nd-100", "Tài xế uống rượu bia bị phạt nặng",
                 "Theo Nghị định 100 của Chính phủ, người điều khiển xe máy có nồng độ cồn bị phạt tiền.")
APART = [
    article("hon-100-nghi-dinh", "Quy định đầu tư xây dựng chồng chéo",
            "Hơn 100 nghị định và 12 luật điều chỉnh đầu tư xây dựng, hơn 100 nghị định cần sửa."),
    article("doi-100-usd", "Vụ đổi tiền bị phạt 90 triệu: sẽ đề xuất sửa quy định",
            "Người đổi 100 USD bị phạt theo nghị định. Bộ đề xuất sửa nghị định, phạt 100 USD là đủ."),
]
# a province's decision 100 citing a decree: "định 100" without "nghị định 100"
DECISION = article("qd-100", "Tỉnh ban hành quyết định 100 về đất đai",
                   "Quyết định 100 của tỉnh thực hiện theo nghị định của Chính phủ. Quyết định 100 có hiệu lực.")
# decrees on other matters, so that "nghị định" and "100" are common words, as in an archive
DECREES = [article(f"nghi-dinh-{n}", f"Chính phủ ban hành nghị định về lĩnh vực thứ {n}",
                   "Nghị định quy định chi tiết luật. Khoảng 100 doanh nghiệp đã góp ý dự thảo.") for n in range(1, 31)]
# road 14: three accident reports on it, six on its landslides (no accident), and accidents on
# other roads and elsewhere
ROAD = ([article(f"tai-nan-ql14-{n}", f"Tai nạn trên quốc lộ 14 ở Đắk Nông, {n} người bị thương",
                 "Xe khách va chạm xe tải trên quốc lộ 14.") for n in range(1, 4)]
        + [article(f"sat-lo-ql14-{n}", f"Sạt lở nghiêm trọng trên quốc lộ 14 đoạn qua Kon Tum lần {n}",
                   "Mưa lớn gây sạt lở quốc lộ 14, giao thông bị chia cắt.") for n in range(1, 7)]
        + [article(f"tai-nan-ql1a-{n}", f"Tai nạn liên hoàn trên quốc lộ 1A, xe số {n} lật",
                   "Ba xe va chạm trên quốc lộ 1A khiến giao thông ùn tắc.") for n in range(1, 13)]
        + [article(f"tai-nan-{n}", f"Tai nạn giao thông ở nội thành, xe máy số {n}",
                   "Hai xe máy va chạm tại ngã tư.") for n in range(1, 21)])
ROAD_14 = {a["id"] for a in ROAD if "ql14" in a["id"]}
# six articles holding giá, vàng, ngày and 22/10 scattered, and fifteen gold price reports of other days
SCATTERED = [article(f"rai-rac-{n}", f"Dự án điện mặt trời số {n} khởi công ngày 22/10",
                     "Giá thuê đất tăng. Nhà đầu tư mua vàng. Công trình khởi công ngày 22/10.") for n in range(1, 7)]
GOLD = [article(f"gia-vang-{day}", f"Giá vàng ngày {day}/4: vàng trong nước tăng nhẹ",
                f"Sáng ngày {day}/4, giá vàng trong nước tăng nhẹ theo đà thế giới.") for day in range(1, 16)]
OTHERS = [article(f"bong-da-{n}", f"Đội tuyển thắng trận thứ {n}", "Các cầu thủ thi đấu tốt trên sân nhà.")
          for n in range(1, 41)]

ARTICLES = [DECREE, DECISION, *APART, *DECREES, *ROAD, *SCATTERED, *GOLD, *OTHERS]


@pytest.fixture
def many_matches(monkeypatch):
    """Word proximity ranks none of the matches, as in an archive where too many articles match."""
    monkeypatch.setattr(search, "NEAR_MAX", 0)
    monkeypatch.setattr(search, "NEAR_MAX_COMPOUNDS", 0)


def test_a_number_naming_the_word_before_it_ranks_the_run_first(index, many_matches):
    results = index.search("Nghị định 100", limit=10)
    assert results.total == 34 and results.hits[0].doc_id == "nd-100"


@pytest.mark.parametrize("query", ["nghi dinh 100", "nghi dinh 100 phat", "phat nghi dinh 100"])
def test_a_number_naming_the_word_before_it_typed_without_accents_ranks_the_run_first(index, many_matches, query):
    # pyvi joins "nghị định" of the restored reading, not "nghi dinh": the run is that of the reading,
    # "nghi dinh 100" (not "dinh 100", which quyết định 100 holds too), weighed as the accented query's
    results = index.search(query, limit=10)
    assert "nghị định 100" in results.suggestion
    assert results.hits[0].doc_id == "nd-100"


@pytest.mark.parametrize("query", ["Nghị định 100 phạt", "phạt Nghị định 100"])
def test_a_number_naming_the_word_before_it_ranks_the_run_first_among_more_words(index, many_matches, query):
    # articles write "nghị định 100", never "100 phạt": the number names the decree, words after it or not
    assert index.search(query, limit=10).hits[0].doc_id == "nd-100"


def test_a_named_number_is_not_dropped_first(index):
    # three articles hold tai nạn, quốc lộ and 14: road 14's landslides come before other roads' accidents
    results = index.search("tai nạn quốc lộ 14", limit=10)
    assert results.dropped != ["14"]  # quốc lộ stays, with either of the others
    found = [hit.doc_id for hit in index.search("tai nạn quốc lộ 14", limit=30)]
    assert ROAD_14 <= set(found)
    assert set(found[:len(ROAD_14)]) == ROAD_14


def test_the_words_dropped_do_not_depend_on_the_limit_asked(index):
    # six articles hold every word: fewer than a page, so the day is dropped, whatever the limit
    five, ten = index.search("giá vàng ngày 22/10", limit=5), index.search("giá vàng ngày 22/10", limit=10)
    assert five.total == ten.total and five.dropped == ten.dropped == ["ngày", "22/10"]
    assert [hit.doc_id for hit in five] == [hit.doc_id for hit in ten][:5]



def test_a_number_after_a_calendar_word_says_when_not_which():
    # năm 2017 is a year, quý 3 a quarter, ngày 20 a day: dropped first as dates are, never a name
    for query in ("GDP năm 2017", "tăng trưởng quý 3", "giá vàng ngày 20", "GDP nam 2017"):
        assert named_numbers(query) == [], query
    assert named_numbers("năm 2017 lớp 10") == [("lớp", "10")]


@pytest.mark.parametrize("query, quoted", [("quốc lộ 14 OR quốc lộ 1A", '"quốc lộ 14" OR "quốc lộ 1A"'),
                                           ("Nghị định 100 OR quốc lộ 14", '"Nghị định 100" OR "quốc lộ 14"')])
def test_a_named_number_is_one_branch_of_an_or(index, query, quoted):
    # OR binds the run of a word and the number naming it, as it binds a word of several syllables
    found = {h.doc_id for h in index.search(query, limit=100)}
    assert found == {h.doc_id for h in index.search(quoted, limit=100)} != set()


@pytest.mark.parametrize("query", ["năm ²", "bão ¹", "lớp ³", "A:²"])
def test_a_superscript_digit_after_a_word_is_searched_not_a_crash(index, query):
    """² is a digit to str.isdigit but no number to int(): the web app answered 500."""
    assert index.search(query).total >= 0


def test_a_number_naming_the_word_before_it_is_no_word_of_its_own(index):
    # "tai nạn quốc lộ 1A xe" is 3 words (quốc lộ 1A one name), all needed: the 12 reports on road 1A hold
    # them; counted as 4 words, a third would do, and every accident report had matched
    results = index.search("tai nạn quốc lộ 1A xe", limit=30)
    assert results.total == 12 and {hit.doc_id for hit in results} == {f"tai-nan-ql1a-{n}" for n in range(1, 13)}
