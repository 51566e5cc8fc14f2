"""Property-based tests: any query string is answered (results or a clear error), never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indexer

OPERATORS = st.sampled_from(['"', "-", "OR", "title:", " ", "*", "(", ")", "nghị", "quyết", "hoà", "Đ",
                             "\u0300", "\u0323", "28-NQ/TU", "\x00", "\n"])
QUERIES = st.one_of(st.text(max_size=300), st.lists(OPERATORS, max_size=40).map("".join),
                    st.text(alphabet="aăâeêioôơuưyđ \"-:\u0301\u0309", max_size=3000))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def core_index(built_index):
    with indexer.open_index(built_index.dir) as index:
        yield index


@SETTINGS
@given(QUERIES)
def test_core_answers_any_query(core_index, query):
    try:
        results = core_index.search(query, limit=10)
    except indexer.QueryError as e:
        assert str(e)
        return
    assert 0 <= len(results) <= 10 and results.total >= len(results)
    for hit in results:
        assert "<script" not in hit.snippet


@SETTINGS
@given(QUERIES, st.sampled_from(["/search", "/api/search"]), st.integers(-5, 1005))
def test_web_never_fails_on_any_query(client, query, path, page):
    response = client.get(path, query_string={"q": query, "page": str(page)})
    assert response.status_code in (200, 400)
