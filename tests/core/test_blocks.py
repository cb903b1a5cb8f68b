"""Blocks of a stack: every frame once, in order, and a memory-mapped pass with bounded resident
memory."""

from pathlib import Path

import dask.array as da
import numpy as np
import pytest

from insitu_tem.core.blocks import iter_blocks, read_only_mapping


@pytest.mark.parametrize("make", [np.asarray, lambda a: da.from_array(a, chunks=(2, 8, 8))])
def test_blocks_cover_every_frame_in_order(make):
    stack = np.arange(7 * 8 * 8).reshape(7, 8, 8)
    pieces = list(iter_blocks(make(stack), chunk=3))
    assert [start for start, _ in pieces] == [0, 3, 6]
    np.testing.assert_array_equal(np.concatenate([block for _, block in pieces]), stack)


def _resident_file_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no RssFile in /proc/self/status")


def test_a_pass_over_a_memory_map_keeps_about_one_block_resident(tmp_path):
    path = tmp_path / "stack.raw"
    frames = np.memmap(path, dtype=np.uint16, mode="w+", shape=(64, 512, 512))
    frames[:] = 7
    frames.flush()
    del frames
    stack = np.memmap(path, dtype=np.uint16, mode="r", shape=(64, 512, 512))
    assert read_only_mapping(stack[2:]) is not None
    before = _resident_file_mb()
    total = sum(int(block.sum(dtype=np.int64)) for _, block in iter_blocks(stack, chunk=4))
    assert total == 7 * stack.size
    assert _resident_file_mb() - before < 8, "pages of the 32 MB map stayed resident"


def test_writable_arrays_are_never_released():
    assert read_only_mapping(np.zeros((2, 4, 4))) is None
