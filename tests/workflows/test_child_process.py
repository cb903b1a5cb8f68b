"""The worker process never outlives its parent: killed mid-computation with SIGKILL, the parent
leaves no worker (and no other helper process) behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

BLOCKS = textwrap.dedent("""
    import threading

    def forever(*, progress):
        progress(0.0, "started")
        threading.Event().wait()
""")

PARENT = textwrap.dedent("""
    from insitu_tem.workflows.child import ChildProcess
    from insitu_tem.workflows.jobs import Steps
    import blocks
    child = ChildProcess()
    child.run(blocks.forever, Steps(None, lambda f, m: print(child.pid, flush=True)))
""")


def state(pid: int) -> str | None:
    """The process's state letter (Z for a zombie), None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_killed_parent_leaves_no_worker_behind(tmp_path):
    (tmp_path / "blocks.py").write_text(BLOCKS)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
        text=True,
    )
    try:
        worker = int(parent.stdout.readline())
        assert children(parent.pid) == [worker] and children(worker) == []
        parent.send_signal(signal.SIGKILL)
        assert parent.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while state(worker) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state(worker) in (None, "Z")
    finally:
        parent.kill()
        parent.wait()
