"""What the tried/ sweeps' table scripts share: MRR@10 by set, variant and half from a run_all JSON,
and each setting's topical nDCG@10 and short-set figures from the sweep logs."""
import hashlib, json, re


def half(qid): return "tune" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "held"


def rows(path):
    """(set, variant, half) -> MRR@10 of a run_all JSON (first relevant rank per query, 0: none)."""
    acc = {}
    for key, (rank, _) in json.load(open(path)).items():
        s, v, qid = key.split("/")
        acc.setdefault((s, v, half(qid)), []).append(1 / rank if rank else 0)
    return {k: sum(x) / len(x) for k, x in acc.items()}


def blocks(log: str) -> dict:
    """tag -> ({(half, accents): nDCG@10}, (short MRR@10, R@10)) of each '== tag' block of a sweep log."""
    found = {}
    for block in re.split(r"(?m)^== ", log)[1:]:
        tag, body = block.split(" ", 1)
        nd = re.findall(r"\| (tune|held-out) \| (accented|unaccented) \| ours \| 33 \| [\d.]+ \| ([\d.]+) \|", body)
        short = re.search(r"MRR@10 ([\d.]+) R@10 ([\d.]+)", body)
        found[tag] = ({(h, a): x for h, a, x in nd}, short.groups() if short else ("", ""))
    return found
