"""What a user does in the window, shared by the session GUI tests (round trip, lifecycle)."""

from PySide6.QtCore import Qt


def track_front_on_the_sample(qtbot, window, wait_idle, movie_user):
    """Open the sample project, draw the analysis line across the front and track it, as a user
    does (the movie dock floated large enough to click on); returns the movie panel."""
    from insitu_tem.samples.experiment import EXPERIMENT

    row = EXPERIMENT.scan.start_rc[0]
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    panel = window.panels["movie"]
    window.docks["movie"].setFloating(True)
    window.docks["movie"].resize(1400, 800)
    qtbot.waitExposed(panel)
    movie_user.draw_line(panel, (row, 10), (row, 240))
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=60000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    return panel


def file_action(window, text):
    """The File menu's action called ``text``."""
    return next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == text)
