"""Resolve ``module:attr`` and ``path/to/file.py:attr`` targets to named objects."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, List, Optional, Tuple

PROTOCOL_NAMES = (
    "__array_interface__",
    "__cuda_array_interface__",
    "__array_struct__",
    "__array__",
    "__dlpack__",
    "__dlpack_device__",
    "__buffer__",
)


class TargetError(Exception):
    """A target that cannot be verified; the message says why, without a traceback."""

    def __init__(self, target: str, message: str) -> None:
        super().__init__(message)
        self.target = target
        self.message = message


def _describe(error: BaseException) -> str:
    # One line: an error message that spans lines (a traceback-like text) is joined.
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _import_file(target: str, path: str) -> Any:
    if not os.path.isfile(path):
        raise TargetError(target, f"no such file: {path}")
    directory = os.path.dirname(os.path.abspath(path))
    # Imports of sibling modules work as when the file is run as a script.
    if directory not in sys.path:
        sys.path.insert(0, directory)
    module_name = "_arraylint_target_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise TargetError(target, f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:  # the target's own code: report, never dump a traceback
        sys.modules.pop(module_name, None)
        raise TargetError(target, f"importing {path} raised {_describe(error)}") from None
    return module


def _import_module(target: str, name: str) -> Any:
    # `python -m` puts the working directory first on sys.path; keep that for the import.
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(name)
    except BaseException as error:
        raise TargetError(target, f"cannot import module {name!r}: {_describe(error)}") from None


def _exposes_protocol(obj: Any) -> bool:
    return any(hasattr(obj, name) for name in PROTOCOL_NAMES)


def _module_file(module: Any) -> Optional[str]:
    path = getattr(module, "__file__", None)
    return os.path.abspath(path) if isinstance(path, str) else None


def resolve(target: str) -> Tuple[Optional[str], List[Tuple[str, Any]]]:
    """The file that defines the target's module (for per-file settings; None for a module
    without a file) and the objects the target names, each with its display name."""
    module_part, sep, attr = target.rpartition(":")
    if not sep or not module_part or not attr:
        raise TargetError(target, "a target is `module:attr` or `path/to/file.py:attr`")
    if module_part.endswith(".py") or os.sep in module_part or "/" in module_part:
        module = _import_file(target, module_part)
    else:
        module = _import_module(target, module_part)
    file = _module_file(module)
    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise TargetError(target, f"{module_part} has no attribute {attr!r}") from None
        except BaseException as error:
            raise TargetError(target, f"reading {attr!r} raised {_describe(error)}") from None
    # A zero-argument callable (a factory, or a class) is called once; an array-like that
    # happens to be callable is verified as it is.
    if isinstance(value, type) or (callable(value) and not _exposes_protocol(value)):
        try:
            value = value()
        except BaseException as error:
            raise TargetError(target, f"calling {attr}() raised {_describe(error)}") from None
    if isinstance(value, dict):
        return file, [(f"{target}[{key}]", item) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return file, [(f"{target}[{index}]", item) for index, item in enumerate(value)]
    return file, [(target, value)]
