import pathlib
import sys

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "verify"
sys.path.insert(0, str(FIXTURES))
