#!/bin/bash
# RULE 2's topical screen: form `local`, six settings (top 10s in OUT/top-local-K<k>-L<l>.json).
cd /work/wt/aspect
export PYTHONPATH=/work/wt/aspect VNSEARCH_SHARED=/work/shared ASP_FORM=local
T=benchmarks/topical/tried/aspect
OUT=${1:-/tmp/s29/aspect/out}
for setting in 20:0.25 20:0.5 50:0.25 50:0.5 100:0.25 100:0.5; do
  k=${setting%:*}; l=${setting#*:}
  echo "== local-K$k-L$l $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  ASP_K=$k ASP_LAMBDA=$l python $T/topruns.py /tmp/s29/aspect/topical-ix $OUT/top-local-K$k-L$l.json
done
