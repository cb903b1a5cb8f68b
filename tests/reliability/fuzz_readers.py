"""Mutate real and sample files and load them: every outcome must be a Dataset or a DataError.

Run as ``python fuzz_readers.py SECONDS FILE...``; exits 1 on any other exception or a hang
(per-load alarm), printing the offending mutation. Used by test_fuzz.py in a subprocess so
that a crash in a C extension is seen as a failure rather than killing the test run.
"""

from __future__ import annotations

import functools
import signal
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from insitu_tem.io.load import load
from insitu_tem.core.model import DataError, Dataset

PER_LOAD_SECONDS = 20


class Hang(Exception):
    pass


class TimeUp(Exception):
    """Raised inside the property once the time budget is spent (no shrinking runs)."""


def mutate(data: bytes, mode: str, seed: int, count: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    buffer = bytearray(data)
    if mode == "truncate":
        return bytes(buffer[: int(rng.integers(0, len(buffer)))])
    if mode == "header":
        end = min(len(buffer), 512)
        for _ in range(count):
            buffer[int(rng.integers(0, end))] = int(rng.integers(0, 256))
        return bytes(buffer)
    for _ in range(count):
        position = int(rng.integers(0, len(buffer)))
        buffer[position] ^= 1 << int(rng.integers(0, 8))
    return bytes(buffer)


def check_one(source: Path, payload: bytes, folder: Path, cut: bool = False) -> None:
    """Load a mutated copy: a Dataset or a DataError; a ``cut`` copy that loads must have the
    original's shape, never fewer values (an EMSA file cut in half opened as a shorter
    spectrum)."""
    target = folder / source.name
    target.write_bytes(payload)
    signal.alarm(PER_LOAD_SECONDS)
    try:
        dataset = load(target)
        assert isinstance(dataset, Dataset)
        dataset.frame(0)
        shape = _shape(source) if cut else None
        assert shape is None or dataset.shape == shape, (
            f"{source.name} cut to {len(payload)} bytes loads as {dataset.shape}, not {shape}"
        )
    except DataError:
        pass
    finally:
        signal.alarm(0)


@functools.cache
def _shape(path: Path) -> tuple | None:
    """The shape of the intact file's dataset; None when it is refused (e.g. a profile table)."""
    try:
        return load(path).shape
    except DataError:
        return None


def main(seconds: float, files: list[Path]) -> int:
    def on_alarm(*_):
        raise Hang("a load took longer than %d s" % PER_LOAD_SECONDS)

    signal.signal(signal.SIGALRM, on_alarm)
    contents = {path: path.read_bytes() for path in files}
    deadline = time.monotonic() + seconds
    folder = Path(tempfile.mkdtemp(prefix="insitu-fuzz-"))
    count = [0]

    @settings(
        max_examples=1_000_000,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(files),
        st.sampled_from(["flip", "truncate", "header"]),
        st.integers(0, 2**31 - 1),
        st.integers(1, 16),
    )
    def fuzz(source, mode, seed, flips):
        if time.monotonic() > deadline:
            raise TimeUp()
        count[0] += 1
        check_one(source, mutate(contents[source], mode, seed, flips), folder, mode == "truncate")

    try:
        fuzz()
    except TimeUp:
        pass
    print(f"fuzzed {count[0]} mutations of {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), [Path(p) for p in sys.argv[2:]]))
