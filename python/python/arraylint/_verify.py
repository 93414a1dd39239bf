"""``python -m arraylint._verify verify TARGET... [--output-format full|concise|json]``.

Exit status: 0 nothing found (info findings do not count), 1 findings, 2 a target could not
be verified (then "All checks passed!" is never printed). The Rust CLI's ``arraylint
verify`` runs this with ``--output-format json`` and applies the configuration files to the
report (each finding carries the ``file`` of its target's module).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from . import Finding, _native, verify
from ._targets import TargetError, resolve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m arraylint")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("verify", help="verify live objects (imports and runs the target's code)")
    run.add_argument("targets", nargs="+", metavar="TARGET", help="module:attr or path/to/file.py:attr")
    run.add_argument("--output-format", choices=["full", "concise", "json"], default="full")
    run.add_argument("--exit-zero", action="store_true", help="exit 0 even when something is found")
    run.add_argument("--select", default=None, metavar="RULES", help="comma-separated rule selectors to report")
    run.add_argument("--ignore", default=None, metavar="RULES", help="comma-separated rule selectors not to report")
    return parser


def _split(value: Optional[str]) -> Optional[List[str]]:
    return None if value is None else [part for part in value.split(",") if part.strip()]


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    findings: List[Finding] = []
    files: List[Optional[str]] = []
    errors = []
    select, ignore = _split(args.select), _split(args.ignore)
    real_stdout = sys.stdout
    if args.output_format == "json":
        # The report owns stdout: whatever the target's code prints goes to stderr.
        sys.stdout = sys.stderr
    try:
        for target in args.targets:
            try:
                file, objects = resolve(target)
            except TargetError as error:
                errors.append({"target": error.target, "message": error.message})
                continue
            for name, obj in objects:
                try:
                    found = verify(obj, name, select=select, ignore=ignore)
                except ValueError as error:  # an unknown selector
                    print(f"error: {error}", file=sys.stderr)
                    return 2
                findings.extend(found)
                files.extend([file] * len(found))
    finally:
        sys.stdout = real_stdout

    if args.output_format == "json":
        report = {
            "version": _native.REPORT_VERSION,
            "findings": [
                dict(finding._asdict(), file=file) if file else finding._asdict()
                for finding, file in zip(findings, files)
            ],
            "errors": errors,
        }
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            if args.output_format == "concise" and finding.severity == "info":
                continue
            print(finding)
        for error in errors:
            print(f"error: {error['target']}: {error['message']}", file=sys.stderr)
        failing = sum(1 for finding in findings if finding.severity != "info")
        if args.output_format == "full":
            if failing:
                print(f"Found {failing} problem(s).")
            elif not errors:
                print("All checks passed!")

    if errors:
        return 2
    if args.exit_zero:
        return 0
    return 1 if any(finding.severity != "info" for finding in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
