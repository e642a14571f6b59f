import os

os.environ.setdefault("ACORN_TESTING", "1")
