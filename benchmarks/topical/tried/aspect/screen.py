"""The topical screen's table from a sweep log (topruns.py's lines under '== tag' headers): python screen.py LOG"""
import re
import sys

found = {}
for block in re.split(r"(?m)^== ", open(sys.argv[1]).read())[1:]:
    tag = block.split()[0]
    found[tag] = {(h, v): (float(x), int(u)) for h, v, x, u in
                  re.findall(r"(\S+) (accented|unaccented) nDCG@10 (\S+) unjudged (\d+)", block)}
print("| setting | tune acc / unacc (mean) | held-out acc / unacc (mean) | unjudged in the 132 top 10s |")
print("|---|---|---|---|")
for tag, v in found.items():
    cell = lambda h: f"{v[(h, 'accented')][0]:.4f} / {v[(h, 'unaccented')][0]:.4f} " \
                     f"({(v[(h, 'accented')][0] + v[(h, 'unaccented')][0]) / 2:.4f})"
    print(f"| {tag} | {cell('tune')} | {cell('held-out')} | {sum(u for _, u in v.values())} |")
