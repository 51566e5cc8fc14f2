"""Short-query set MRR@10 and R@10 on an index, lead prior over whole words applied: python short.py IX"""
import os, runpy, sys
sys.path.insert(0, os.path.dirname(__file__)); __import__("patch")  # this folder's monkeypatch: homeexample's script finds it imported
runpy.run_path(os.path.join(os.path.dirname(__file__), "..", "homeexample", "short.py"), run_name="__main__")
