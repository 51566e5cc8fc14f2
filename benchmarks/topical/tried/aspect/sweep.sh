#!/bin/bash
# The topical screen of RULE.txt: main (λ 0) and the nine settings (topruns.py: nDCG@10 to 4
# decimals, unjudged counts, top 10s kept in OUT/top-K<k>-L<l>.json).
cd /work/wt/aspect
export PYTHONPATH=/work/wt/aspect VNSEARCH_SHARED=/work/shared
T=benchmarks/topical/tried/aspect
OUT=${1:-/tmp/s29/aspect/out}
for setting in 50:0 20:0.25 20:0.5 20:1.0 50:0.25 50:0.5 50:1.0 100:0.25 100:0.5 100:1.0; do
  k=${setting%:*}; l=${setting#*:}
  echo "== K$k-L$l $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  ASP_K=$k ASP_LAMBDA=$l python $T/topruns.py /tmp/s29/aspect/topical-ix $OUT/top-K$k-L$l.json
done
