"""The worker process never outlives its parent: killed mid-computation with SIGKILL, the parent
leaves no worker, and no forker (the one helper process, the worker's parent) behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.forker import Forker

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
        (forker,) = children(parent.pid)
        assert children(forker) == [worker] and children(worker) == []
        parent.send_signal(signal.SIGKILL)
        assert parent.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while {state(worker), state(forker)} - {None, "Z"} and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state(worker) in (None, "Z") and state(forker) in (None, "Z")
    finally:
        parent.kill()
        parent.wait()


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_of_one_forker_are_its_children_and_are_reaped_when_ended():
    forker = Forker()
    first, second = ChildProcess(forker=forker), ChildProcess(forker=forker)
    try:
        first.start("json")
        second.start("json")
        workers = first.pid, second.pid
        assert workers[0] != workers[1]
        assert parent_of(workers[0]) == parent_of(workers[1]) != os.getpid()
        first.close()
        assert state(workers[0]) is None and state(workers[1]) not in (None, "Z")
        assert first.start() is not None and first.pid not in workers
        restarted = first.pid
    finally:
        forker.close()
    assert all(state(pid) is None for pid in (*workers, restarted))
