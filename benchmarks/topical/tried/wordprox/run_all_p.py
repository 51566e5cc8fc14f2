"""/tmp/codes-dq/run_all.py with patch.py applied; WP_VARIANTS (default orig,noaccent): WP_W=W WP_WINDOW=N python run_all_p.py IXROOT OUT.json"""
import os, sys; sys.path.insert(0, os.path.dirname(__file__)); __import__("patch")  # applies the monkeypatch on import
variants = os.environ.get("WP_VARIANTS", "orig,noaccent").split(",")
code = open("/tmp/codes-dq/run_all.py").read().replace('["orig", "lower", "noaccent", "tone", "nfd"]', repr(variants))
exec(code)
