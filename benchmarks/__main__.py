"""`python -m benchmarks` runs every benchmark (see benchmarks/run_all.py)."""

from benchmarks.run_all import main

raise SystemExit(main())
