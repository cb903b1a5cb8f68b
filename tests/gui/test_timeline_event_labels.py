"""An event's label on the timeline (the sample log's "bias on" at t = 0) as the user sees it with
the frame cursor on the event and dragged across the label: no cursor or trace pixel inside it."""

import numpy as np
from PySide6.QtGui import QColor

from insitu_tem.gui.panels.timeline.plots import CURSOR_PEN, TRACE_PEN, TimelinePlots


def colours_inside_label(plots: TimelinePlots, note) -> set[str]:
    """The cursor and trace colours found among the pixels of the note's label."""
    image = plots.grab().toImage()
    box = plots.mapFromScene(note.label.sceneBoundingRect()).boundingRect()
    wanted = {CURSOR_PEN.color().name(): "cursor", TRACE_PEN.color().name(): "trace"}
    found = set()
    for y in range(box.top(), box.bottom() + 1):
        for x in range(box.left(), box.right() + 1):
            name = QColor(image.pixel(x, y)).name()
            if name in wanted:
                found.add(wanted[name])
    return found


def test_the_frame_cursor_and_the_trace_leave_the_event_label_legible(qtbot):
    plots = TimelinePlots()
    qtbot.addWidget(plots)
    plots.resize(1000, 260)
    plots.show()
    qtbot.waitExposed(plots)
    time_s = np.linspace(-5.0, 30.0, 701)
    charge = np.where(time_s < 0, 0.0, -np.sqrt(np.clip(time_s, 0, None)) - 0.1)
    plots.show_traces([("charge passed", "pC", time_s, charge, None)], [(0.0, "bias on")], 0.0)
    qtbot.wait(50)
    (note,) = [item for item in plots.plot_items[0].items if getattr(item, "label", None)]
    assert colours_inside_label(plots, note) == set()
    plots.set_cursor(1.0)
    qtbot.wait(50)
    assert plots.cursors[0].value() == 1.0
    assert colours_inside_label(plots, note) == set()
