"""Known-item runs with patch.py applied: each dev set's orig and noaccent queries (top 10) and the
short-query set (on the baomoi-title pool), over indexes kept in IXROOT (built there when absent).

    ASP_K=K ASP_LAMBDA=L python known.py IXROOT OUT.json

OUT.json: "set/variant/qid" -> [rank of the first relevant article (0: none in the top 10), 10];
"short/orig/qid" likewise, plus "short-recall/orig/qid" -> [R@10, 0]."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
__import__("patch")  # the monkeypatch, applied on import
import indexer  # noqa: E402
from benchmarks.common import require_shared  # noqa: E402
from benchmarks.quality import SETS, read_qrels, read_queries, read_short_set  # noqa: E402


def kept_index(root: Path, set_name: str):
    """Our index of a dev pool, built into root/ix-<set> once."""
    folder = root / f"ix-{set_name}"
    if not (folder / "CURRENT").exists():
        indexer.build_index([str(require_shared("eval", "dev", set_name, "pool.jsonl.gz"))], str(folder))
    return indexer.open_index(str(folder))


def first_rank(ix, query: str, relevant: set) -> tuple[int, list]:
    """(rank of the first relevant article in the top 10, 0 if none; the top 10 ids)."""
    try:
        ids = [h.doc_id for h in ix.search(query, limit=10)]
    except indexer.QueryError:
        ids = []
    return next((i for i, d in enumerate(ids, 1) if d in relevant), 0), ids


def main(root: Path, out: Path) -> None:
    found = {}
    for set_name in SETS:
        ix, set_dir = kept_index(root, set_name), require_shared("eval", "dev", set_name)
        qrels = read_qrels(set_dir / "qrels.txt")
        for variant in ("orig", "noaccent"):
            for qid, query in read_queries(set_dir / f"queries.{variant}.tsv"):
                found[f"{set_name}/{variant}/{qid}"] = [first_rank(ix, query, qrels.get(qid, set()))[0], 10]
        if set_name == "baomoi-title":
            queries, short_qrels = read_short_set()
            for qid, query in queries:
                rank, ids = first_rank(ix, query, short_qrels[qid])
                found[f"short/orig/{qid}"] = [rank, 10]
                found[f"short-recall/orig/{qid}"] = [len(short_qrels[qid] & set(ids)) / len(short_qrels[qid]), 0]
        print(set_name, "done", flush=True)
    out.write_text(json.dumps(found))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
