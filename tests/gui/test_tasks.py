"""The task runner: results on the GUI thread, latest request wins, cancel, errors reported."""

import threading

import pytest

from insitu_tem.gui.tasks import TaskRunner


def test_result_arrives_on_the_gui_thread(qtbot, reporter):
    runner = TaskRunner(reporter)
    seen = []
    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit(
            lambda: threading.get_ident(),
            on_result=lambda r: seen.append((r, threading.get_ident())),
        )
    worker_thread, delivery_thread = seen[0]
    assert worker_thread != delivery_thread == threading.get_ident()


def test_latest_request_with_the_same_key_wins(qtbot, reporter):
    runner = TaskRunner(reporter, max_threads=2)
    gate = threading.Event()
    results = []

    def slow(value, control):
        gate.wait(5)
        return value

    with qtbot.waitSignal(runner.idle, timeout=5000):
        for value in range(5):
            runner.submit(
                lambda control, v=value: slow(v, control), key="fft", on_result=results.append
            )
        gate.set()
    assert results == [4]


@pytest.mark.parametrize("option", ["in_worker", "first"])
def test_a_worker_or_first_task_does_not_wait_for_a_thread(qtbot, reporter, option):
    runner = TaskRunner(reporter, max_threads=1)
    gate, ran = threading.Event(), threading.Event()
    order = []

    def busy():
        ran.wait(5)
        gate.wait(5)
        order.append("busy")

    def prompt():
        order.append(option)
        ran.set()

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit(busy)
        runner.submit(lambda: order.append("queued"))
        runner.submit(prompt, **{option: True})
        gate.set()
    assert order == [option, "busy", "queued"]


def test_cancel_stops_a_long_task_and_drops_its_result(qtbot, reporter):
    runner = TaskRunner(reporter)
    results, checks = [], []

    def long_task(control):
        for i in range(500):
            if control.should_stop():
                checks.append(i)
                return "partial"
            threading.Event().wait(0.002)
        return "complete"

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit(long_task, on_result=results.append)
        qtbot.waitUntil(lambda: True)
        runner.cancel()
    assert results == [] and checks and checks[0] < 500


def test_errors_go_to_the_reporter_with_a_traceback(qtbot, reporter):
    runner = TaskRunner(reporter)

    def broken():
        raise ValueError("the ROI is outside the image; move it back")

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit(broken, description="FFT")
    assert reporter.reports[0].message == "FFT: the ROI is outside the image; move it back"
    assert "Traceback" in reporter.reports[0].details


def test_progress_is_reported(qtbot, reporter):
    runner = TaskRunner(reporter)
    fractions = []
    runner.progress.connect(lambda _id, fraction, _msg: fractions.append(fraction))

    def work(control):
        for i in range(1, 5):
            control.progress(i / 4, "frames")

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit(work)
    assert fractions == [0.25, 0.5, 0.75, 1.0]
