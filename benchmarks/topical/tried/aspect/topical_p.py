"""python -m benchmarks.topical with patch.py applied: ASP_K=K ASP_LAMBDA=L python topical_p.py --engines ours --index DIR"""
import runpy
import sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
__import__("patch")  # applies the monkeypatch on import
sys.argv = ["benchmarks.topical"] + sys.argv[1:]
runpy.run_module("benchmarks.topical", run_name="__main__")
