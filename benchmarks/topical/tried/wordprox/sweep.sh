#!/bin/bash
cd /work/wt/wordprox
export PYTHONPATH=/work/wt/wordprox VNSEARCH_SHARED=/work/shared
T=benchmarks/topical/tried/wordprox
for win in 15 8 25; do for w in 0.1 0.05 0.3; do
  tag=w${w}_n${win}
  echo "== $tag $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  WP_W=$w WP_WINDOW=$win python $T/run_all_p.py /tmp/codes-dq /tmp/s25/wordprox/$tag.json
  WP_W=$w WP_WINDOW=$win python $T/topical_p.py --engines ours --index /tmp/s25/wordprox/topical-ix 2>&1 | grep '| ours |'
  WP_W=$w WP_WINDOW=$win python $T/short.py /tmp/codes-dq/ix-baomoi-title
done; done
echo "== done $(date -u +%H:%M:%S)"
