"""Hostile-input suite (issue 14): generated inputs, each case checked for exit code, one
stderr line, bounded time and memory, and raw inputs whose bytes and mtimes never change."""

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main

ADDRESS_SPACE = 3 * 2**30
MAX_RSS_BYTES = 2 * 2**30
MAX_SECONDS = 30.0


def digest(folder: Path) -> dict:
    return {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def raw(tmp_path):
    """A folder of raw inputs (a small movie, a pattern series, a spectrum) checked unchanged
    after the test."""
    folder = tmp_path / "raw"
    folder.mkdir()
    rng = np.random.default_rng(14)
    texture = rng.integers(0, 2000, size=(80, 80)).astype(np.uint16)
    movie = np.stack([np.roll(texture, (k, 2 * k), axis=(0, 1))[8:72, 8:72] for k in range(4)])
    tifffile.imwrite(
        folder / "m.tif",
        movie,
        imagej=True,
        resolution=(1.0, 1.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
    )
    np.save(folder / "patterns.npy", rng.random((4, 3, 32, 32)).astype(np.float32))
    np.save(folder / "pattern.npy", rng.random((32, 32)).astype(np.float32))
    before = digest(folder)
    yield folder
    assert digest(folder) == before, "a raw input changed"


def refused(capsys, *argv, code=2, contains=None):
    """Run the CLI in-process; assert exit ``code``, one stderr line and no stdout; return the
    line."""
    started = time.monotonic()
    result = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert time.monotonic() - started < MAX_SECONDS
    assert result == code, f"exit {result}: {captured.err}{captured.out[-300:]}"
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    if code == 2:
        assert lines[0].startswith("insitu-tem: error: "), lines[0]
        assert captured.out == ""
    if contains is not None:
        assert contains in lines[0], lines[0]
    return lines[0]


RUNNER = """
import atexit, resource, sys
from pathlib import Path
rss_file = Path(sys.argv.pop(1))
atexit.register(lambda: rss_file.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
from insitu_tem.cli.main import main
sys.argv[0] = "insitu-tem"
code = main()
rss_file.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
sys.exit(code)
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(*argv, cwd=None, timeout=MAX_SECONDS) -> tuple[int, str, str]:
    """Run ``insitu-tem ARGV`` in a process with a 3 GB address-space limit; assert it ends within
    ``timeout`` with a peak resident set below 2 GB; return (exit code, stdout, stderr)."""
    rss_file = Path(tempfile.mkdtemp()) / "rss"
    command = [sys.executable, "-c", RUNNER, str(rss_file), *map(str, argv)]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        preexec_fn=_limit,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"{argv} took more than {timeout} s")
    if rss_file.exists():
        assert int(rss_file.read_text()) * 1024 < MAX_RSS_BYTES, (
            f"peak RSS {rss_file.read_text()} kB"
        )
    assert time.monotonic() - started < timeout
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def assert_one_line(code: int, err: str, expected: int = 2) -> str:
    lines = err.strip().splitlines()
    assert code == expected and len(lines) == 1, f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def refuse(capsys):
    """``refuse(*argv, code=2, contains=None)``: the in-process CLI check of :func:`refused`."""
    return lambda *argv, **kwargs: refused(capsys, *argv, **kwargs)


@pytest.fixture
def limited():
    """``limited(*argv, cwd=None, timeout=30)``: :func:`run_limited`."""
    return run_limited


@pytest.fixture
def one_line():
    """``one_line(code, err, expected=2)``: :func:`assert_one_line`."""
    return assert_one_line
