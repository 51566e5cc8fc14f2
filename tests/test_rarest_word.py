"""The query's most specific word is never dropped in favour of its own pieces (issue 12): a code
typed whole (``86/2010/QĐ-TTg``) that fewer than a page of articles hold shows those articles,
not every article holding one of its pieces (Meilisearch's "frequency" strategy drops the
most frequent words first and keeps the rarest)."""

from __future__ import annotations

import pytest
from conftest import article, index_of

import indexer


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


# a filter's few storm reports among its many reports on the central provinces (no storm), and
# another outlet's storms: "bão" is the word fewer articles of the filter hold
FILTERED = ([{**article(f"tt-bao-{n}", f"Bão số {n} đổ bộ", f"Bão số {n} gây gió mạnh ven biển."), "source": "Tuổi Trẻ"}
             for n in range(3)]
            + [{**article(f"tt-mien-{n}", f"Miền Trung đón khách du lịch lần {n}",
                          f"Các tỉnh miền Trung đón đoàn khách thứ {n}."), "source": "Tuổi Trẻ"} for n in range(12)]
            + [{**article(f"khac-bao-{n}", f"Bão mạnh lần {n}", f"Bão gây mưa lớn lần {n}."), "source": "Báo Khác"}
               for n in range(15)]
            + [{**article(f"tin-mien-{n}", f"Lúa miền Trung được mùa {n}", f"Nông dân miền Trung thu hoạch {n}."),
                "source": "Tin Lúa"} for n in range(4)])


@pytest.fixture(scope="module")
def filtered(tmp_path_factory):
    with indexer.open_index(index_of(tmp_path_factory, "filtered", FILTERED)) as opened:
        yield opened


def test_a_filter_relaxes_no_further_than_its_articles_holding_the_rarest_word(filtered):
    """Fewer than a page of the filter's articles hold the rarest word (bão): those are shown, the
    other words said dropped, not every article of the filter holding any word (all 15)."""
    results = filtered.search("bão miền Trung", source="Tuổi Trẻ", limit=20)
    assert sorted(ids(results)) == [f"tt-bao-{n}" for n in range(3)]
    assert results.dropped == ["miền", "Trung"] and results.kept == ["bão"]


def test_a_word_no_article_of_the_filter_holds_is_not_the_rarest_one_kept(filtered):
    results = filtered.search("bão miền Trung", source="Tin Lúa", limit=20)
    assert sorted(ids(results)) == [f"tin-mien-{n}" for n in range(4)]
    assert results.dropped == ["bão"] and results.kept == ["miền", "Trung"]
