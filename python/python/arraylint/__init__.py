"""arraylint's live verifier: check the array protocols an object really exposes.

``verify(obj)`` returns the findings; ``assert_valid(obj)`` raises ``AssertionError`` when
any finding is an error or warning (for a library's own test suite). Verifying runs the
object's getters and methods, so only verify objects whose code you trust.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Iterable, List, NamedTuple, Optional

from arraylint_native import _native

__all__ = ["Finding", "verify", "assert_valid", "cuda_status"]


class Finding(NamedTuple):
    """One finding on a live object."""

    code: str
    name: str
    message: str
    severity: str
    object: str
    protocol: str
    path: str

    def __str__(self) -> str:
        where = self.protocol + (f"[{self.path}]" if self.path and not self.path.startswith("[") else self.path)
        prefix = f"{self.object}: " if self.object else ""
        location = f" ({where})" if where else ""
        return f"{prefix}{self.code} [{self.severity}] {self.message}{location}"


def _default_name(obj: Any) -> str:
    return type(obj).__qualname__


def _selectors(value: Optional[Iterable[str]], keyword: str) -> Optional[List[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        # `ignore="AL907"` means one selector, not five characters.
        return [value]
    selectors = list(value)
    if not all(isinstance(item, str) for item in selectors):
        raise TypeError(f"{keyword}= takes rule selectors as strings, e.g. ['AL9', 'AL212']")
    return selectors


def verify(
    obj: Any,
    name: Optional[str] = None,
    *,
    select: Optional[Iterable[str]] = None,
    ignore: Optional[Iterable[str]] = None,
) -> List[Finding]:
    """Verify every array protocol ``obj`` exposes; returns the findings (possibly empty).

    ``select`` and ``ignore`` take rule selectors (``"AL907"``, ``"AL9"``, ``"ALL"``) and
    work as in the configuration file: ``select`` replaces the default (every rule),
    ``ignore`` removes rules, and the more specific selector wins. An unknown selector
    raises ``ValueError``.
    """
    select_list = _selectors(select, "select")
    ignore_list = _selectors(ignore, "ignore") or []
    # The protocol calls may warn (NumPy deprecates unversioned DLPack exports); under
    # `-W error` such a warning would read as the producer raising.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = _native.verify_json(
            obj, name if name is not None else _default_name(obj), select_list, ignore_list
        )
    return [Finding(**item) for item in json.loads(raw)]


def assert_valid(
    obj: Any,
    name: Optional[str] = None,
    *,
    select: Optional[Iterable[str]] = None,
    ignore: Optional[Iterable[str]] = None,
) -> None:
    """Raise ``AssertionError`` listing the findings, unless all are info.

    ``select`` and ``ignore`` are as for ``verify``.
    """
    findings = verify(obj, name, select=select, ignore=ignore)
    failures = [finding for finding in findings if finding.severity != "info"]
    if failures:
        lines = "\n".join(f"  {finding}" for finding in failures)
        raise AssertionError(f"arraylint found {len(failures)} problem(s):\n{lines}")


def cuda_status() -> "tuple[bool, str]":
    """Whether device checks can run here, and why not when they cannot."""
    return _native.cuda_status()
