"""The across-the-front panel tells the holder's state at the line scan's time."""

import json
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
from PySide6.QtGui import QUndoStack

from insitu_tem.core.session import Session
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.io.load import load
from insitu_tem.samples.experiment import EXPERIMENT
from insitu_tem.workflows.across_front import AcrossFront

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
TRUTH = json.loads((SAMPLES / "holder_log.truth.json").read_text())


def test_across_status_shows_bias_current_and_charge_at_the_scan_time(qtbot, reporter):
    session = Session(checksums=False)
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_scan_line("eels", asdict(EXPERIMENT.scan))
    session.set_panel_state(
        "timeline",
        {
            "log_path": str(SAMPLES / "holder_log.csv"),
            "offset_s": TRUTH["offset_with_start_times_s"],
        },
    )
    panel = AcrossPanel(SessionBridge(session), TaskRunner(reporter), QUndoStack())
    qtbot.addWidget(panel)
    distance = np.array([-10.0, 0.0, 10.0])
    panel.show_result(
        AcrossFront(distance, 100.0, {"crystalline": np.ones(3)}, {"crystalline": ""})
    )
    qtbot.waitUntil(lambda: "holder t = 29.5 s" in panel.status.text(), timeout=30000)
    text = panel.status.text()
    assert text.startswith("front at 100.0 nm") and "Channel A Voltage -0.8 V" in text
    value, prefix = re.search(r"Q = (\S+) ± \S+ ([fpnµm]?)C", text).groups()
    charge = float(value) * 10.0 ** -{"f": 15, "p": 12, "n": 9, "µ": 6, "m": 3, "": 0}[prefix]
    truth = np.interp(29.5, TRUTH["frame_times_s"], TRUTH["charge_at_frames_C"])
    assert abs(charge - truth) < 0.01 * abs(truth)
    assert text.startswith("front at 100.0 nm along the scan line (1σ not estimated)")
    panel.show_result(
        AcrossFront(distance, 100.0, {"crystalline": np.ones(3)}, {"crystalline": ""}, 0.324)
    )
    assert panel.status.text().startswith("front at 100.0 ± 0.32 nm along the scan line")
    assert not reporter.reports
