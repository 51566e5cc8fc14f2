#!/bin/bash
cd /work/wt/wordprox
export PYTHONPATH=/work/wt/wordprox VNSEARCH_SHARED=/work/shared WP_W=0.1 WP_WINDOW=15
T=benchmarks/topical/tried/wordprox
while pgrep -f sweep.sh >/dev/null; do sleep 5; done
for v in body adjacent; do
  if [ $v = body ]; then export WP_BODY_ONLY=1 WP_ADJACENT=0; else export WP_BODY_ONLY=0 WP_ADJACENT=1; fi
  tag=${v}_w0.1_n15
  echo "== $tag $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
  python $T/topical_p.py --engines ours --index /tmp/s25/wordprox/topical-ix --per-topic > /tmp/s25/wordprox/pt_$tag.txt 2>&1; grep '| ours |' /tmp/s25/wordprox/pt_$tag.txt
  python $T/short.py /tmp/codes-dq/ix-baomoi-title
  python $T/run_all_p.py /tmp/codes-dq /tmp/s25/wordprox/$tag.json
done
echo "== done $(date -u +%H:%M:%S)"
