"""What the README's test command installs (the "test" extra) is enough to run the tests."""

import re
import subprocess
import sys

from conftest import REPO

BENCH_ONLY = ("tantivy", "pyinstrument")  # the "bench" extra: a fresh machine's `pip install -e ".[test]"` lacks them


def test_the_benchmark_modules_the_tests_import_need_no_bench_extra():
    imported = sorted({m for path in (REPO / "tests").glob("*.py")
                       for m in re.findall(r"^from (benchmarks\.\w+) import", path.read_text("utf-8"), re.M)})
    assert imported  # test_cluster and test_parallel import some
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in BENCH_ONLY)  # their import raises ImportError
    done = subprocess.run([sys.executable, "-c", f"import sys; {blocked}; import {', '.join(imported)}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
