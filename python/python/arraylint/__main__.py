"""``python -m arraylint ARGS...``: run the native ``arraylint`` executable with ARGS.

The wheel installs the executable into the environment's scripts directory (as Ruff's
wheel does); this module only finds it there and hands over, so ``python -m arraylint``
and ``arraylint`` are the same program. ``verify`` then runs in this interpreter unless
``--python`` says otherwise.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import List


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def _candidates() -> List[str]:
    exe = "arraylint" + (sysconfig.get_config_var("EXE") or "")
    return [
        # `pip install` into this environment (a virtual environment, or the base one).
        os.path.join(sysconfig.get_path("scripts"), exe),
        # `pip install --user`.
        os.path.join(sysconfig.get_path("scripts", scheme=_user_scheme()), exe),
        # `pip install --target DIR`: the scripts land in DIR/bin beside the package.
        os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin", exe),
    ]


def find_arraylint_bin() -> str:
    """The path of the ``arraylint`` executable installed with this package."""
    candidates = _candidates()
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        "the arraylint executable is not installed beside the Python package; looked in: "
        + ", ".join(candidates)
    )


def main() -> int:
    try:
        binary = find_arraylint_bin()
    except FileNotFoundError as error:
        print(f"arraylint: error: {error}", file=sys.stderr)
        return 2
    # `arraylint verify` picks its interpreter from ARRAYLINT_PYTHON before anything else
    # it guesses: the one that ran `python -m arraylint` is the one the user chose.
    if not os.environ.get("ARRAYLINT_PYTHON"):
        os.environ["ARRAYLINT_PYTHON"] = sys.executable
    args = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        import subprocess

        return subprocess.run(args).returncode
    os.execv(binary, args)
    return 2  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
