"""The GUI's garbage-collection pauses, offscreen, with the sample project open: pyqtgraph's
GarbageCollector (gui/app.py) collects on a 1 s timer on the GUI thread, and a full collection
walks every tracked object. Each collection is timed with ``gc.callbacks`` while the window idles
and while the movie is scrubbed, and full (generation 2) collections are timed on purpose; the
same run with ``gc.freeze()`` at start-up (``freeze="early"``: after the window is shown and its
panels built; ``"late"``: after the sample project has loaded) shows what freezing saves. Leaks
are checked in each run: a cycle made after the freeze, a panel built after it and closed, and
the sample project's datasets once another project replaces it must all be collected.

Run one variant: ``python -m benchmarks.bench_gc_pauses none|early|late`` (prints JSON)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
import weakref

IDLE_S = 10.0
SCRUB_S = 20.0
SCRUB_STEP_MS = 40
FULL_REPEATS = 3


class PauseLog:
    """Start and stop of every collection (``gc.callbacks``), by phase of the run."""

    def __init__(self) -> None:
        self.phase = "start-up"
        self.pauses: list[tuple[str, int, float]] = []
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, stage: str, info: dict) -> None:
        if stage == "start":
            self._start = time.perf_counter()
        else:
            elapsed = time.perf_counter() - self._start
            self.pauses.append((self.phase, info["generation"], elapsed))

    def summary(self, phase: str) -> dict:
        found = [(g, s) for p, g, s in self.pauses if p == phase]
        return {
            "collections": len(found),
            "by_generation": {g: sum(1 for x, _ in found if x == g) for g in (0, 1, 2)},
            "max_s": max((s for _, s in found), default=0.0),
            "total_s": sum(s for _, s in found),
        }


def spin(app, seconds: float, step=None) -> None:
    """Run the event loop for ``seconds`` (calling ``step()`` every SCRUB_STEP_MS when given)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    if step is not None:
        timer.timeout.connect(step)
        timer.start(SCRUB_STEP_MS)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()


def collected(app, make) -> bool:
    """Whether what ``make()`` returns (a weak reference) is gone after a full collection."""
    from PySide6.QtCore import QCoreApplication, QEvent

    ref = make()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for _ in range(3):
        app.processEvents()
    gc.collect()
    app.processEvents()
    gc.collect()
    return ref() is None


def cycle_ref():
    a: dict = {}
    a["self"] = a
    holder = type("Holder", (), {})()
    holder.cycle = a
    holder.me = holder
    return weakref.ref(holder)


def closed_panel_ref():
    """A kinetics plot (five pyqtgraph plots with legends and hints) shown, closed, deleted."""
    from insitu_tem.gui.panels.movie.kinetics_plot import KineticsPlot

    panel = KineticsPlot()
    panel.show()
    panel.close()
    panel.deleteLater()
    return weakref.ref(panel)


def measure(freeze: str) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pyqtgraph.util.garbage_collector import GarbageCollector

    from insitu_tem.gui.app import application, build_window, make_settings, wait_until_idle
    from insitu_tem.gui.asker import HeadlessAsker
    from insitu_tem.gui.errors import StderrReporter

    log = PauseLog()
    app = application()
    window = build_window(make_settings(), StderrReporter(), HeadlessAsker(), size=(1280, 800))
    window.show()
    app.processEvents()
    window.workbench()
    collector = GarbageCollector(interval=1.0)
    if freeze == "early":
        gc.freeze()
    window.open_sample_project()
    wait_until_idle(app, window)
    if freeze == "late":
        gc.freeze()
    tracked = {"tracked": len(gc.get_objects()), "frozen": gc.get_freeze_count()}
    log.phase = "idle"
    spin(app, IDLE_S)
    frames = window.state.dataset("movie").shape[0]
    movie = window.panels["movie"]
    ticks = iter(range(10**6))
    log.phase = "scrub"
    spin(app, SCRUB_S, lambda: movie.navigator.set_index(next(ticks) % frames))
    log.phase = "full"
    for _ in range(FULL_REPEATS):
        gc.collect(2)
    log.phase = "leaks"
    old = [weakref.ref(window.state.dataset(role)) for role in ("movie", "nbd", "eels")]
    window.open_sample_project()
    wait_until_idle(app, window)
    leaks = {
        "cycle_made_after_freeze_collected": collected(app, cycle_ref),
        "closed_panel_collected": collected(app, closed_panel_ref),
        "replaced_project_datasets_collected": collected(app, lambda: old[0])
        and all(ref() is None for ref in old),
    }
    collector.timer.stop()
    full = [s for p, g, s in log.pauses if p == "full"]
    window.close()
    return {
        "freeze": freeze,
        **tracked,
        "idle": log.summary("idle"),
        "scrub": log.summary("scrub"),
        "full_gen2_s": sorted(full),
        **leaks,
    }


def run_variant(freeze: str) -> dict:
    """One variant in its own process (a freeze cannot be undone for a fair comparison)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gc_pauses", freeze],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_gc_pauses {freeze}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    base = run_variant("none")
    rows = []
    for freeze in ("early", "late"):
        frozen = run_variant(freeze)
        rows.append(
            {
                "name": f"GUI full gc pause, sample project open (gc.freeze {freeze})",
                "ours_s": min(frozen["full_gen2_s"]),
                "peer": "no freeze",
                "peer_s": min(base["full_gen2_s"]),
                "notes": (
                    f"tracked {base['tracked']} -> {frozen['tracked'] - frozen['frozen']}; "
                    f"scrub max pause {base['scrub']['max_s']:.3f} -> "
                    f"{frozen['scrub']['max_s']:.3f} s; leaks: "
                    + (", ".join(k for k, v in frozen.items() if v is False) or "none")
                ),
            }
        )
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
