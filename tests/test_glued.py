"""A word of two syllables written without its space: "ôtô" and "ô tô", "môtô" and "mô tô".

On the 179,251 articles "ôtô" is in 7,863 and the phrase "ô tô" in 4,546, and neither spelling
found the other. A word with marks whose letters split one way into two syllables of pyvi's list is
read as them (analysis 7), and an article's also whole, for readers typing it without marks
("oto"): each spelling finds, ranks and marks both.
"""

from __future__ import annotations

import pytest

from conftest import index_of
from indexer.analysis import exact_positions, glued_cut

GLUED = ("Xe ôtô lật trên đèo", "Một xe ôtô chở khách lật trên đèo, tài xế bị thương nhẹ.")
SPACED = ("Xe ô tô lật trên đèo", "Một xe ô tô chở khách lật trên đèo, tài xế bị thương nhẹ.")

# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = [{"id": "glued", "title": GLUED[0], "body": GLUED[1]},
            {"id": "spaced", "title": SPACED[0], "body": SPACED[1]},
            {"id": "to", "title": "Tô phở ngày đông", "body": "Một tô phở nóng cho ngày đông lạnh."}]


@pytest.mark.parametrize("word, cut", [("ôtô", 1), ("ÔTÔ", 1), ("xíchlô", 4), ("phôtô", 3), ("tivi", 0), ("Nokia", 0),
                                       ("nghiêng", 0), ("tuyệt", 0), ("thuở", 0), ("đượcc", 0)])
def test_a_glued_word_with_marks_splits_into_its_two_syllables(word, cut):
    assert glued_cut(word) == cut


def test_both_spellings_index_the_same_terms_and_the_glued_word_whole():
    glued, spaced = exact_positions(GLUED[1]), exact_positions(SPACED[1])
    assert {t: p for t, p in glued.items() if t != "ôtô"} == spaced and glued["ôtô"] == spaced["ô_tô"]


@pytest.mark.parametrize("query", ["ôtô", "ô tô", '"ô tô"', "xe ôtô lật"])
def test_each_spelling_finds_both_alike(index, query):
    hits = index.search(query, limit=10)
    assert {h.doc_id for h in hits[:2]} == {"glued", "spaced"}
    assert hits[0].score == pytest.approx(hits[1].score, rel=0.05)  # the glued one holds its whole word too: one term more of 17


def test_highlights_mark_the_glued_word(index):
    hit = next(h for h in index.search("ô tô", limit=10) if h.doc_id == "glued")
    assert "ôtô" in [piece.lower() for piece in hit.highlight.marked]


def test_typed_without_marks_and_glued_it_still_finds_the_glued_spelling(index):
    assert "glued" in {h.doc_id for h in index.search("oto", limit=10)}


PLACES = ["Đà Lạt", "Sa Pa", "Hà Giang", "Cao Bằng", "Lạng Sơn", "Kon Tum", "Gia Lai", "Lào Cai", "Sơn La", "Hòa Bình",
          "Điện Biên", "Lai Châu"]


def car_articles() -> list[dict]:
    """12 articles on cars, 8 writing "ôtô" (as most of the archive does) and 4 "ô tô"."""
    return [{"id": f"car{n}", "title": f"Xe {word} lật trên đèo ở {place}",
             "body": f"Một xe {word} chở khách lật trên đèo ở {place}, tài xế bị thương nhẹ."}
            for n, (word, place) in enumerate(zip(["ôtô"] * 8 + ["ô tô"] * 4, PLACES))]


@pytest.fixture(scope="module")
def cars(tmp_path_factory):
    """An index of car_articles and this module's ARTICLES, open for searching."""
    indexer = pytest.importorskip("indexer")
    with indexer.open_index(index_of(tmp_path_factory, "cars", car_articles() + ARTICLES)) as opened:
        yield opened


@pytest.mark.parametrize("query, rewritten, read", [("oto", "o to", "ô tô"), ("xe oto", "xe o to", "xe ô tô"),
                                                    ("Oto", "O to", "Ô tô")])
def test_typed_without_marks_it_is_read_as_the_syllables_and_finds_both_spellings(cars, query, rewritten, read):
    results = cars.search(query, limit=20)
    assert {h.doc_id for h in results} >= {f"car{n}" for n in range(12)} | {"glued", "spaced"}
    assert (results.rewritten, results.suggestion) == (rewritten, read)
