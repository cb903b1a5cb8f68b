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
from insitu_tem.workflows.forker import Forker, FreshInterpreters, forks_workers
from insitu_tem.workflows.jobs import Steps

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

BLOCKS = textwrap.dedent("""
    import threading

    def forever(*, progress):
        progress(0.0, "started")
        threading.Event().wait()
""")

PARENT = textwrap.dedent("""
    import sys
    from insitu_tem.workflows.child import ChildProcess
    from insitu_tem.workflows.forker import FreshInterpreters
    from insitu_tem.workflows.jobs import Steps
    import blocks
    child = ChildProcess(spawner=FreshInterpreters() if sys.argv[1:] == ["fresh"] else None)
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


def start_parent(tmp_path, *args: str) -> subprocess.Popen:
    """A process that runs a job blocking forever in a worker and prints the worker's pid."""
    (tmp_path / "blocks.py").write_text(BLOCKS)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-c", PARENT, *args],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
        text=True,
    )


def test_a_killed_parent_leaves_no_worker_behind(tmp_path):
    parent = start_parent(tmp_path)
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
    first, second = ChildProcess(spawner=forker), ChildProcess(spawner=forker)
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


def test_a_killed_parent_leaves_no_fresh_interpreter_worker_behind(tmp_path):
    parent = start_parent(tmp_path, "fresh")
    try:
        worker = int(parent.stdout.readline())
        assert children(parent.pid) == [worker]
        parent.send_signal(signal.SIGKILL)
        assert parent.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while state(worker) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state(worker) in (None, "Z")
    finally:
        parent.kill()
        parent.wait()


SUMS = textwrap.dedent("""
    def sorted_sum(values, *, progress, divisor=1):
        progress(0.5, "sorting")
        return sorted(values), sum(values) // divisor
""")


@pytest.mark.parametrize("make_spawner", [Forker, FreshInterpreters])
def test_both_spawners_run_a_job_and_report_its_error(make_spawner, tmp_path, monkeypatch):
    (tmp_path / "sums.py").write_text(SUMS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    )
    import sums

    spawner = make_spawner()
    child = ChildProcess(spawner=spawner)
    reported = []
    try:
        steps = Steps(None, lambda fraction, message: reported.append((fraction, message)))
        assert child.run(sums.sorted_sum, steps, [3, 1, 2]) == ([1, 2, 3], 6)
        assert reported == [(0.5, "sorting")]
        with pytest.raises(ZeroDivisionError, match="division"):
            child.run(sums.sorted_sum, steps, [1], divisor=0)
        worker = child.pid
        child.close()
        assert state(worker) is None
    finally:
        child.close()
        spawner.close()


def test_the_platform_forks_workers_only_on_linux():
    assert forks_workers() == sys.platform.startswith("linux")
