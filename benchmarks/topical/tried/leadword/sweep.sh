#!/bin/bash
cd /work/wt/leadword
export PYTHONPATH=/work/wt/leadword VNSEARCH_SHARED=/work/shared
T=benchmarks/topical/tried/leadword
for mode in off words half sum; do
  echo "== $mode $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  LW_MODE=$mode python $T/run_all_p.py /tmp/codes-dq /tmp/s25/leadword/$mode.json
  LW_MODE=$mode python $T/topical_p.py --engines ours --index /tmp/s25/leadword/topical-ix 2>&1 | grep '| ours |'
  LW_MODE=$mode python $T/short.py /tmp/codes-dq/ix-baomoi-title
done
echo "== done $(date -u +%H:%M:%S)"
