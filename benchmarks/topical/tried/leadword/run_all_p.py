"""/tmp/codes-dq/run_all.py with patch.py applied; LW_VARIANTS (default orig,noaccent): LW_MODE=M python run_all_p.py IXROOT OUT.json"""
import os, sys; sys.path.insert(0, os.path.dirname(__file__)); __import__("patch")  # applies the monkeypatch on import
variants = os.environ.get("LW_VARIANTS", "orig,noaccent").split(",")
code = open("/tmp/codes-dq/run_all.py").read().replace('["orig", "lower", "noaccent", "tone", "nfd"]', repr(variants))
exec(code)
