#!/bin/bash
# Step 2 of RULE.txt: the known-item runs of the candidates that passed the topical screen, best
# tune mean first (form:K:λ), over the dev-pool indexes known.py kept in IX.
cd /work/wt/aspect
export PYTHONPATH=/work/wt/aspect VNSEARCH_SHARED=/work/shared
T=benchmarks/topical/tried/aspect
IX=/tmp/s29/aspect/ki; OUT=/tmp/s29/aspect/out
for setting in ratio:100:0.25 local:50:0.25 ratio:50:0.25 local:100:0.25 local:20:0.25; do
  IFS=: read form k l <<< "$setting"
  echo "== $form-K$k-L$l $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  ASP_FORM=$form ASP_K=$k ASP_LAMBDA=$l python $T/known.py $IX $OUT/$form-K$k-L$l.json
done
echo "== done $(date -u +%H:%M:%S)"
