"""A date in a query stands near the other words as a whole, in any of its spellings (issue 12):
``ngày 22/10`` is near in "ngày 22.10", never in "ngày 22/4", whose day merely starts alike."""

from __future__ import annotations


def article(doc_id: str, body: str) -> dict:
    return {"id": doc_id, "title": "Giá vàng trong nước", "body": body}


# the same words in both, only their order differs: the day asked for right after "ngày" (written
# with a dot, one token) in one, another day 22 there in the other
THAT_DAY = article("ngay-22-10", "Giá vàng ngày 22.10 tăng nhẹ. Sáng 22/4 giá giảm.")
DAY_22 = article("ngay-22-4", "Giá vàng ngày 22/4 tăng nhẹ. Sáng 22.10 giá giảm.")
# other news, so that the query's words are not in nearly every article
OTHERS = [{"id": f"bong-da-{n}", "title": f"Đội tuyển thắng trận thứ {n}", "body": "Các cầu thủ thi đấu tốt."}
          for n in range(1, 21)]

ARTICLES = [DAY_22, THAT_DAY] + OTHERS


def test_the_day_asked_for_is_near_its_words_in_another_spelling(index):
    for query in ("giá vàng ngày 22/10", "gia vang ngay 22-10"):
        assert [hit.doc_id for hit in index.search(query, limit=10)] == ["ngay-22-10", "ngay-22-4"], query


def test_the_words_after_the_day_are_measured_from_its_end(index):
    # "22.10 tăng nhẹ": the next word right after the day (one position); "22/4 tăng" is no 22/10
    assert [hit.doc_id for hit in index.search("ngày 22/10 tăng nhẹ", limit=10)][0] == "ngay-22-10"
