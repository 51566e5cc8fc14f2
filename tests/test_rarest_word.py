"""The query's most specific word is never dropped in favour of its own pieces (issue 12): a code
typed whole (``86/2010/QĐ-TTg``) that fewer than a page of articles hold shows those articles,
not every article holding one of its pieces (Meilisearch's "frequency" strategy drops the
most frequent words first and keeps the rarest)."""

from __future__ import annotations


def article(doc_id: str, title: str, body: str) -> dict:
    return {"id": doc_id, "title": title, "body": body}


CODE = "86/2010/QĐ-TTg"
# six articles cite the decision by its code; forty hold its pieces elsewhere (86, 2010, TTg) and
# the words its kind stands for (QĐ: quyết định)
CITING = [article(f"qd-86-{n}", f"Cổ phần hóa doanh nghiệp nhà nước đợt {n}",
                  f"Theo Quyết định {CODE} của Thủ tướng, đất được chuyển nhượng không qua đấu giá.")
          for n in range(1, 7)]
PIECES = [article(f"manh-{n}", f"Báo cáo tổng kết số {n}",
                  f"Năm 2010 có 86 dự án. Theo quyết định của Thủ tướng (TTg), các tỉnh báo cáo lần {n}.")
          for n in range(1, 41)]
ARTICLES = [*CITING, *PIECES]
CITING_IDS = {a["id"] for a in CITING}


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results]


def test_a_code_fewer_than_a_page_hold_shows_those_articles_only(index):
    results = index.search(CODE, limit=20)
    assert set(ids(results)) == CITING_IDS and results.total == 6
    assert results.dropped == []


def test_a_code_beside_words_is_the_word_kept_when_words_are_dropped(index):
    results = index.search(f"quyết định {CODE} báo cáo", limit=20)
    assert set(ids(results)) == CITING_IDS and CODE not in results.dropped
