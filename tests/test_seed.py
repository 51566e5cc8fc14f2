"""The seed index: seeds/ alone, built by the main job's command, holds the real article as a reader sees it."""

import subprocess
import sys
from datetime import datetime

import pytest
from conftest import REPO, SEED_FILE, SEED_ID, SEED_TITLE, SEEDS

import indexer

CHROME_QUERIES = ["captcha", '"An toàn giao thông"', '"Phóng sự ảnh"']


def build(index_dir, *sources) -> subprocess.CompletedProcess:
    """`python -m indexer build` from the repository (seeds/ when no source is given)."""
    return subprocess.run([sys.executable, "-m", "indexer", "build", *map(str, sources), "--index", str(index_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("seed") / "index"
    done = build(index_dir)
    assert done.returncode == 0 and "indexed 1 article, skipped 0 inputs" in done.stdout, done.stderr
    with indexer.open_index(index_dir) as index:
        yield index


@pytest.mark.parametrize("query", [SEED_TITLE, indexer.fold(SEED_TITLE), SEED_TITLE.lower(),
                                   "28-NQ/TW", "Nghị quyết 28-NQ/TU", "nghi quyet 28-NQ/TU"])
def test_seed_article_is_the_first_hit(seed_index, query):
    results = seed_index.search(query)
    assert [hit.doc_id for hit in results][:1] == [SEED_ID]
    assert results[0].title == SEED_TITLE


def test_seed_article_date_author_and_text(seed_index):
    article = seed_index.get(SEED_ID)
    assert article.date == datetime(2019, 11, 17, 10, 39)      # naive Vietnam time, as stored
    assert article.author == "Xuân Hạ"
    assert article.body.startswith("Sau 10 năm thực hiện Nghị quyết số 28-NQ/TU của Ban Thường vụ Thành ủy")
    assert "Xuân Hạ" not in article.body
    assert seed_index.doc_count == 1


@pytest.mark.parametrize("query", ["Việt Nam", "miền Nam", "Hà Nội", "viet nam"])
def test_vietnamese_words_the_one_article_lacks_are_searched_as_typed(seed_index, query):
    # issue 13: known words are never corrected; a syllable a small index lacks is no typo
    # (a newcomer's "Việt Nam" had been searched as "Biệt Nam", "Hà Nội" as "Hà Hội")
    assert seed_index.search(query).rewritten is None


def test_a_typo_of_a_word_the_one_article_holds_is_still_corrected(seed_index):
    results = seed_index.search("giao thogn")
    assert (results.rewritten, results.suggestion) == ("giao thong", "giao thông")
    assert seed_index.search("giao thôgn").rewritten == "giao thông"


@pytest.mark.parametrize("query", CHROME_QUERIES)
def test_site_chrome_after_the_byline_is_not_indexed(seed_index, query):
    assert seed_index.search(query).total == 0


@pytest.fixture(scope="module")
def chrome_as_text_index(tmp_path_factory):
    """The same page with its chrome moved into the paragraph before the byline."""
    root = tmp_path_factory.mktemp("chrome_as_text")
    text = (SEEDS / SEED_FILE).read_text(encoding="utf-8")
    head, byline, chrome = text.partition("\u00a0Xuân Hạ")
    assert byline and "captcha" in chrome
    (root / "seeds").mkdir()
    (root / "seeds" / SEED_FILE).write_text(f"{head.rstrip()} {' '.join(chrome.split())}\n\n{byline}\n",
                                            encoding="utf-8")
    assert build(root / "index", root / "seeds").returncode == 0
    with indexer.open_index(root / "index") as index:
        yield index


@pytest.mark.parametrize("query", CHROME_QUERIES)
def test_the_chrome_queries_would_find_the_article_if_its_chrome_were_text(chrome_as_text_index, query):
    assert [hit.doc_id for hit in chrome_as_text_index.search(query)] == [SEED_ID]
