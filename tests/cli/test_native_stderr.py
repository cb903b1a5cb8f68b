"""What C libraries and child processes write to file descriptor 2 stays off the terminal,
except with --debug."""

import subprocess
import sys

import pytest

SCRIPT = """
import os, sys
from insitu_tem.cli.quiet import native_stderr_collected
with native_stderr_collected(replay={replay}):
    os.write(2, b"libfoo: warning from C\\n")
    print("python line", file=sys.stderr)
"""


@pytest.mark.parametrize("replay", [False, True])
def test_native_stderr_is_shown_only_when_asked(replay):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(replay=replay)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "python line" in done.stderr
    assert ("  libfoo: warning from C" in done.stderr) is replay
