"""Dates and numbers in queries (issue 12, class 4): they say when or how much, not what. A query
is about its other words; the date ranks the articles of that day first, and an article that
merely holds the date (an address, another year's day) neither matches alone nor outranks them."""

from __future__ import annotations

import pytest
from conftest import article


# a daily gold report for 24 days of June (more than 20 exact matches of "giá" and "vàng": their
# unaccented forms do not join), one for 22/10
GOLD = [article(f"vang-{day}", f"Giá vàng ngày {day}/6: tăng nhẹ",
                f"Sáng ngày {day}/6, giá vàng trong nước tăng nhẹ theo đà thế giới.") for day in range(1, 25)]
GOLD_DAY = article("vang-22-10", "Giá vàng ngày 22/10: tăng nhẹ", "Sáng ngày 22/10, giá vàng trong nước tăng nhẹ.")
# an address holding the date, beside two of the query's words
ADDRESS = article("dia-chi", "Cha liệt nửa người, con sinh non chưa rời bệnh viện",
                  "Gia đình anh ở số nhà 22/10 khu phố 3. Ngày nào chi phí cũng tăng.")
# the query's words without their accents: "già", "vang"
ELDERLY = [article(f"cu-gia-{n}", f"Cụ già số {n} bán vé số", "Tiếng đàn của cụ già vang lên mỗi ngày ở góc phố.")
           for n in range(1, 4)]

# other news, so that the query's words are not in nearly every article
OTHERS = [article(f"bong-da-{n}", f"Đội tuyển thắng trận thứ {n}", "Các cầu thủ thi đấu tốt trên sân nhà.")
          for n in range(1, 41)]

ARTICLES = GOLD + [GOLD_DAY, ADDRESS] + ELDERLY + OTHERS
GOLD_IDS = {a["id"] for a in GOLD + [GOLD_DAY]}


def test_a_date_does_not_make_a_query_longer(index):
    # 2 words and a day (the ngày naming it is the day's): all the words are needed, the day is dropped first
    # (as for "giá vàng 22/10")
    results = index.search("giá vàng ngày 22/10", limit=10)
    assert results.total == 25 and results.dropped == ["ngày", "22/10"] and results.kept == ["giá", "vàng"]
    hits = [hit.doc_id for hit in results]
    assert hits[0] == "vang-22-10" and set(hits) <= GOLD_IDS  # that day first, then the topic


def test_a_rare_date_does_not_let_the_words_unaccented_forms_join(index):
    results = index.search("giá vàng 22/10", limit=10)  # "già", "vang" are not "giá", "vàng"
    assert results.total == 25 and results.dropped == ["22/10"]


def test_a_date_alone_does_not_outrank_the_topic_in_a_longer_query(index):
    ranked = [hit.doc_id for hit in index.search("giá vàng trong nước tăng nhẹ ngày 22/10", limit=30)]
    assert ranked[0] == "vang-22-10"
    assert ranked.index("dia-chi") > max(ranked.index(doc_id) for doc_id in GOLD_IDS)


def test_a_number_is_a_word_of_the_query_a_day_is_not(index):
    # "giá vàng ngày 24": four words (an amount or a year tells a headline apart), a longer query that
    # needs a share of them, nothing said dropped; "giá vàng ngày 22/10" is three words and a day
    results = index.search("giá vàng ngày 24", limit=10)
    assert results.dropped == [] and results.hits[0].doc_id == "vang-24"
    assert index.search("giá vàng ngày 22/10", limit=10).dropped == ["ngày", "22/10"]


def test_the_word_naming_a_day_is_no_word_of_its_own(index):
    # "giá vàng tăng ngày 22/10" is 3 words and a day, not 4 words of which a third would do: the address
    # holding "ngày" and "tăng" had matched; now the articles on the topic, the day dropped with its ngày
    results = index.search("giá vàng tăng ngày 22/10", limit=30)
    assert results.total == index.search("giá vàng tăng").total == 25 and results.dropped == ["ngày", "22/10"]
    assert {hit.doc_id for hit in results} == GOLD_IDS and results.hits[0].doc_id == "vang-22-10"


def test_the_pieces_of_a_day_rank_no_other_day(index):
    # "giá vàng ngày 22/10": the reports of 22/6 and 10/6 share a piece of the day, not the day
    scores = {hit.doc_id: hit.score for hit in index.search("giá vàng ngày 22/10", limit=30)}
    assert scores["vang-22"] == pytest.approx(scores["vang-11"])
    assert scores["vang-10"] == pytest.approx(scores["vang-11"])


def test_today_says_when_as_a_day_does(tmp_path_factory):
    # "hôm nay" names no day the reader means on an archive: it ranks the articles holding it, matches
    # nothing; counted as a fourth word, a third would do, and the vegetable prices had matched (first)
    import indexer
    from conftest import index_of
    gold = [article(f"vang-{day}", f"Giá vàng ngày {day}/6 tăng nhẹ", "Giá vàng trong nước tăng nhẹ.") for day in range(1, 12)]
    gold.append(article("vang-hom-nay", "Giá vàng hôm nay tăng nhẹ", "Giá vàng trong nước tăng nhẹ."))
    greens = [article(f"rau-{n}", f"Hôm nay giá rau tăng lần {n}", "Hôm nay trời mưa, giá rau tăng.") for n in range(1, 4)]
    with indexer.open_index(index_of(tmp_path_factory, "today", gold + greens + OTHERS)) as index:
        results = index.search("giá vàng tăng hôm nay", limit=30)
        assert results.total == 12 and results.dropped == []
        assert {hit.doc_id for hit in results} == {a["id"] for a in gold} and results.hits[0].doc_id == "vang-hom-nay"
