"""/tmp/codes-dq/run_all.py (the dev ranks, on the kept pools) with patch.py applied: PH_D=D python run_all_p.py IXROOT OUT.json"""
import sys; sys.path.insert(0, __import__("os").path.dirname(__file__)); __import__("patch")  # applies the monkeypatch on import
exec(open("/tmp/codes-dq/run_all.py").read())
