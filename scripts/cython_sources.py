"""The Cython sources of the libraries that implement the array protocols in Cython.

Shared by `scripts/real-world` (which checks them) and `scripts/bench` (whose corpus holds
them): one pinned list, one download, one unpacking. Each source is unpacked into
`<dest>/<name>-<version>/`, keeping only `.pyx`, `.pxi`, `.pxd` and `.py` files (Cython's
pure-Python mode is `.py`), with the archive's layout below its top directory.

The archives are fetched with pip, pinned, and kept in a downloads folder, so that a rerun
reads the same bytes. Most are source distributions. rmm and pylibcudf publish no usable
one: their package index entries (`rmm-cu12`, `pylibcudf-cu12`) hold only a placeholder
sdist that refuses to build (rmm's stop at 24.10, pylibcudf's is `0.0.0a0.dev0`) next to the
wheels, and their repositories' tagged archives need a host a script here cannot reach.
Their wheels ship the Cython sources, though (every `.pyx` beside the module built from
it, and the `.pxd` files), so those two come from the wheel, pinned to one platform tag so
that every machine fetches the same file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

KEPT_SUFFIXES = (".pyx", ".pxi", ".pxd", ".py")
CYTHON_SUFFIXES = (".pyx", ".pxi", ".pxd")


@dataclass(frozen=True)
class Source:
    name: str  # the distribution name on the package index
    version: str
    wheel: bool = False  # the Cython sources come from the wheel (no usable sdist)
    # Environment for pip while it prepares the sdist's metadata.
    env: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


# Current releases when pinned (2026-12-06).
SOURCES = [
    # CuPy's setup.py looks for a CUDA toolkit even to report its name and version; its
    # documentation build's switch (no CUDA, stub extensions) lets pip read the metadata.
    Source("cupy", "14.2.0", env={"CUPY_INSTALL_USE_STUB": "1"}),
    Source("pyarrow", "26.0.1"),
    Source("lxml", "6.2.0"),
    Source("msgpack", "1.2.4"),
    Source("mpi4py", "4.1.2"),
    Source("rmm-cu12", "26.10.0", wheel=True),
    Source("pylibcudf-cu12", "26.10.2", wheel=True),
]

# The platform of the wheels (abi3: one wheel for every CPython 3 from 3.11).
WHEEL_PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
                  "--implementation", "cp", "--abi", "abi3"]


def log(msg: str) -> None:
    print(f"cython-sources: {msg}", file=sys.stderr, flush=True)


def archive_of(source: Source, downloads: Path) -> Path | None:
    """The downloaded archive of `source`, if there is one."""
    stem = source.name.replace("-", "_").lower()
    for path in sorted(downloads.glob("*")):
        name = path.name.lower().replace("-", "_")
        if name.startswith(f"{stem}_{source.version}") and path.suffix in (".gz", ".whl", ".zip"):
            return path
    return None


def pip_python(downloads: Path) -> str:
    """The Python of a small venv beside the downloads, with setuptools and wheel (for
    the second try of `download`); pip is never run in the environment being checked or
    measured, which must not change."""
    venv = downloads / "pip-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "setuptools", "wheel"],
                       check=True)
    return str(python)


def download(source: Source, downloads: Path) -> Path:
    """pip download the pinned archive of `source` into `downloads`.

    pip saves an sdist only after it has prepared its metadata, which runs the package's
    build backend. With build isolation pip first installs the build requirements; where
    those cannot be met (lxml 6.2 asks for a newer Cython than an index may have), the
    second try prepares the metadata with the setuptools of `pip_python`'s venv."""
    downloads.mkdir(parents=True, exist_ok=True)
    python = pip_python(downloads)
    spec = f"{source.name}=={source.version}"
    pip = [python, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(downloads)]
    if source.wheel:
        tries = [pip + ["--only-binary", ":all:", *WHEEL_PLATFORM, spec]]
    else:
        sdist = pip + ["--no-binary", source.name, spec]
        tries = [sdist, sdist + ["--no-build-isolation"]]
    env = dict(os.environ, **source.env)
    for number, cmd in enumerate(tries):
        log(f"pip download {spec}" + (" (without build isolation)" if number else ""))
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        found = archive_of(source, downloads)
        if done.returncode == 0 and found is not None:
            return found
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
        log(f"pip download {spec} failed: {' / '.join(errors[-2:]) or done.stderr[-500:]}")
    raise SystemExit(f"cython-sources: could not download {spec}")


def kept_members(names: list[str], strip_top: bool) -> dict[str, str]:
    """Archive member -> relative target path, for the files kept. Paths that would leave
    the target folder (absolute, `..`) are skipped."""
    kept = {}
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not name.endswith(KEPT_SUFFIXES):
            continue
        parts = path.parts[1:] if strip_top else path.parts
        if parts:
            kept[name] = str(PurePosixPath(*parts))
    return kept


def unpack(archive: Path, target: Path) -> int:
    """Unpack the kept files of `archive` into `target`; returns how many were written."""
    if target.exists():
        shutil.rmtree(target)
    count = 0
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as whl:
            members = [m for m in whl.namelist() if not m.endswith("/")]
            for member, rel in kept_members(members, strip_top=False).items():
                out = target / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(whl.read(member))
                count += 1
        return count
    with tarfile.open(archive) as sdist:
        files = {m.name: m for m in sdist.getmembers() if m.isfile()}
        # An sdist holds one top folder, `<name>-<version>/`.
        for member, rel in kept_members(list(files), strip_top=True).items():
            data = sdist.extractfile(files[member])
            if data is None:
                continue
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data.read())
            count += 1
    return count


def ensure(dest: Path, downloads: Path) -> list[tuple[Source, Path]]:
    """Every source unpacked under `dest` (done once: a `.complete` marker per source
    names its archive); a folder of a version no longer pinned is removed. Returns each
    source with its folder."""
    wanted = {source.folder for source in SOURCES}
    if dest.is_dir():
        for stale in sorted(dest.iterdir()):
            if stale.is_dir() and stale.name not in wanted:
                log(f"removing {stale} (not pinned)")
                shutil.rmtree(stale)
    out = []
    for source in SOURCES:
        target = dest / source.folder
        marker = target / ".complete"
        if not marker.exists():
            archive = archive_of(source, downloads) or download(source, downloads)
            count = unpack(archive, target)
            log(f"{archive.name}: {count} files into {target}")
            marker.write_text(f"{archive.name}\n")
        out.append((source, target))
    return out


def count_kinds(folder: Path) -> dict[str, int]:
    """Files under `folder` per kept suffix."""
    counts = dict.fromkeys(KEPT_SUFFIXES, 0)
    for _, _, names in os.walk(folder):
        for name in names:
            for suffix in KEPT_SUFFIXES:
                if name.endswith(suffix):
                    counts[suffix] += 1
    return counts
