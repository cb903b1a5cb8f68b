"""Closing the window while the worker's forker is still importing a worker's modules (exspy
takes seconds) ends it: :meth:`Forker.close` kills a forker that does not end in time instead
of raising ``TimeoutExpired`` into the window's close."""

import os
import textwrap

import pytest

from insitu_tem.workflows.forker import Forker, forks_workers

pytestmark = pytest.mark.skipif(not forks_workers(), reason="forks workers on Linux only")


def test_closing_a_forker_busy_importing_kills_it(tmp_path, monkeypatch):
    (tmp_path / "slow_import.py").write_text(
        textwrap.dedent("""
            import time
            time.sleep(60)
        """)
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    forker = Forker()
    worker = forker.spawn("insitu_tem.workflows.child", ("slow_import",))
    process = forker._process
    forker.close(timeout_s=0.5)
    assert process.returncode is not None, "the forker is ended and reaped"
    assert worker.pid is None, "no worker was forked"
    worker.stdin.close()
    worker.stdout.close()
    forker.close()
