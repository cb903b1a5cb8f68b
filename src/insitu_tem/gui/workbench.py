"""The panels and the controllers that connect them, built once the window has been painted.

Importing the panels imports every workflow and analysis module behind them (scipy, scikit-image,
matplotlib), which takes seconds; the main window shows first and builds a :class:`Workbench`
afterwards (or at once, when something needs it earlier).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from insitu_tem.analysis.timeline.sync import movie_clock
from insitu_tem.gui.widgets.status_tip import mirror_tool_tips
from insitu_tem.gui.controllers.exports import Exports
from insitu_tem.gui.controllers.linking import FrontMarkers, ScanLinker
from insitu_tem.gui.controllers.measurements import MeasurementBinding
from insitu_tem.gui.controllers.opener import Opener
from insitu_tem.gui.controllers.session_bridge import ROLE_BY_KIND
from insitu_tem.gui.dock_layout import COMPACT_TABS, dock_title
from insitu_tem.gui.controllers.project import ProjectController
from insitu_tem.gui.controllers.timeline import TimelineController
from insitu_tem.gui.edit_tracking import track_edits
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.panels.eels.panel import EelsPanel
from insitu_tem.gui.panels.fft.panel import FftPanel
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.panels.nbd.panel import NbdPanel
from insitu_tem.gui.panels.timeline.panel import TimelinePanel
from insitu_tem.gui.panels.tomo.panel import TomoPanel

PANEL_CLASSES = (MoviePanel, FftPanel, NbdPanel, EelsPanel, AcrossPanel, TomoPanel)

UNDOABLE_PARAMETERS = {
    "Change spot SNR": ("hrtem", "controls.snr"),
    "Change crystallinity window": ("hrtem", "controls.window_nm"),
    "Change FFT view": ("hrtem", "controls.filter"),
    "Change gamma": ("movie", "contrast.gamma"),
    "Change colour map": ("movie", "contrast.colormap"),
    "Change running average": ("movie", "processing.average"),
    "Change binning": ("movie", "processing.binning"),
    "Change display filter": ("movie", "processing.filter"),
    "Change filter size": ("movie", "processing.filter_size"),
    "Change line width": ("movie", "front.width_spin"),
    "Change black level": ("movie", "contrast.low"),
    "Change white level": ("movie", "contrast.high"),
    "Change reference phase": ("hrtem", "controls.phase"),
    "Change NBD display": ("nbd", "controls.display"),
    "Change NBD gamma": ("nbd", "controls.gamma"),
    "Change known ring d": ("nbd", "controls.known_d"),
}
"""Panel parameters whose user edits are undo steps (EELS and NBD track their own)."""


class Workbench:
    """Panels in their docks, the opener, the project, the probe linking, timeline and exports.

    Parameters
    ----------
    window : insitu_tem.gui.main_window.MainWindow
        The shell: state, tasks, undo stack, reporter, asker, docks, recent files, status.
    recovery_path : pathlib.Path
        Where an untitled session autosaves.
    """

    def __init__(self, window, *, recovery_path: Path) -> None:
        self.window = window
        state, tasks, undo = window.state, window.tasks, window.undo_stack
        self.opener = Opener(state, tasks, window.reporter, parent=window)
        self.opener.opened.connect(window.recent.remember)
        self.opener.noted.connect(window.status.message)
        self.opener.together = window.dock_layout.held
        self.panels: dict[str, QWidget] = {}
        for cls in PANEL_CLASSES:
            self.panels[cls.role] = cls(state, tasks, undo)
            window.dock_layout.set_panel(cls.role, self.panels[cls.role])
        panels = {kind: self.panels[role].title for kind, role in ROLE_BY_KIND.items()}
        self.opener.choose = lambda name, summaries, on_chosen, preferred: (
            window.asker.choose_signal(name, summaries, panels, on_chosen, preferred=preferred)
        )
        self.project = ProjectController(
            state,
            self.opener,
            undo,
            self.panels,
            window.reporter,
            window.asker,
            recovery_path=recovery_path,
            autosave_seconds=float(window.settings.value("autosave_seconds", 60)),
            folder=window.recent.last_folder,
            parent=window,
        )
        self.linker = ScanLinker(state, self.panels["movie"].view, parent=window)
        self.measurements = [
            MeasurementBinding(self.panels[role].measure, state, undo, role, parent=window)
            for role in ("movie", "hrtem", "nbd")
        ]
        self.panels["across"].computed.connect(self._show_front)
        self._build_timeline()
        mirror_tool_tips(window)
        track_edits(undo, self.parameter_widgets())
        self.front_markers = FrontMarkers()
        self.front_markers.attach(self.position_profiles())
        self.exports = Exports(
            window,
            tasks,
            window.reporter,
            session=window.session,
            profiles=self.position_profiles,
            folder=window.recent.last_folder,
            chose=window.recent.use_folder,
            done=lambda message: window.status.message(message, 10000),
            panel_figures={"tomo": self.panels["tomo"].export_figure_from_menu},
        )
        self._clean_at_load: int | None = None
        self.project.scan_lines_changed.connect(self.linker.set_scan_lines)
        self.project.restored.connect(self._compute_across_when_possible)
        self.project.restored.connect(self.panels["hrtem"].show_movie_without_hrtem)
        self.project.restored.connect(self._raise_in_tab_order)
        state.dataset_changed.connect(self._route)

    def _build_timeline(self) -> None:
        window, state = self.window, self.window.state
        panel = TimelinePanel()
        self.timeline = TimelineController(
            panel,
            window.tasks,
            window.undo_stack,
            frame_times=self._movie_times,
            set_frame=state.set_frame,
            store_state=lambda saved: state.session.set_panel_state("timeline", saved),
            state=state,
            movie_start=lambda: self._movie_clock()[1],
        )
        panel.openRequested.connect(window.files.open_log_dialog)
        state.frame_changed.connect(self.timeline.on_frame)
        state.dataset_changed.connect(
            lambda role, _d: self.timeline.recompute() if role == "movie" else None
        )
        state.session_replaced.connect(self.timeline.reset)
        self.project.restored.connect(self._restore_timeline)
        window.dock_layout.set_panel("timeline", panel)

    def _movie_clock(self):
        movie = self.window.state.dataset("movie")
        return (None, None) if movie is None or movie.kind != "movie" else movie_clock(movie)

    def _movie_times(self):
        return self._movie_clock()[0]

    def _restore_timeline(self) -> None:
        """The timeline of an opened project; a relative log path is beside the project (or, for a
        template opened untitled, beside its movie)."""
        session = self.window.state.session
        movie = session.source("movie")
        if self.project.path is not None:
            base = self.project.path.parent
        else:
            base = Path(movie.path).parent if movie is not None and movie.path else None
        self.timeline.restore_project_state(session.panel_state("timeline"), base=base)

    def parameter_widgets(self) -> dict:
        """{undo step text: widget} for the :data:`UNDOABLE_PARAMETERS` the panels have."""
        found = {}
        for text, (role, path) in UNDOABLE_PARAMETERS.items():
            widget = self.panels[role]
            for name in path.split("."):
                widget = getattr(widget, name, None)
            if widget is not None:
                found[text] = widget
        return found

    def position_profiles(self) -> list:
        """Every plot whose x axis is the position along the line scans."""
        eels, nbd = self.panels["eels"], self.panels["nbd"]
        plots = [
            getattr(eels.profiles, n)
            for n in ("shift_plot", "window_plot", "fraction_plot")
            if hasattr(eels, "profiles")
        ]
        plots += [
            getattr(nbd.scan_plots, n)
            for n in ("strain_plot", "map_plot", "fraction_plot")
            if hasattr(nbd, "scan_plots")
        ]
        return plots

    def _compute_across_when_possible(self) -> None:
        """Once a project's data are in, place the front on the movie and the profiles; what this
        computes by itself is not an unsaved change of a project that had none."""
        state = self.window.state
        has_scan = bool(self.project.scan_lines)
        has_line_scan = any(state.dataset(r) is not None for r in ("eels", "nbd"))
        if has_scan and has_line_scan and state.dataset("movie") is not None:
            self._clean_at_load = None if self.project.dirty else self.window.undo_stack.index()
            self.panels["across"].compute()

    def _show_front(self, result) -> None:
        if self._clean_at_load == self.window.undo_stack.index():
            self.project.mark_clean()
        self._clean_at_load = None
        self.front_markers.set_position(result.front_along_nm)
        movie = self.window.state.dataset("movie")
        if movie is not None and movie.axes[-1].units == "nm":
            self.linker.set_front_along(result.front_along_nm / movie.axes[-1].scale)

    def _raise_in_tab_order(self) -> None:
        """An opened project shows the panels of its data in tab order (:data:`COMPACT_TABS`:
        EELS before NBD), not the one whose file happened to load last."""
        roles = set(self.window.state.session.roles)
        for role in reversed(COMPACT_TABS):
            if role in roles and role in self.window.docks:
                self.window.docks[role].raise_()

    def _tabs_hold_data(self) -> bool:
        """Whether the FFT, NBD or EELS panel shows data of its own (raising the FFT panel for
        an image or a movie would hide it)."""
        state = self.window.state
        return state.session.source("hrtem") is not None or any(
            state.dataset(role) is not None for role in ("nbd", "eels")
        )

    def _route(self, role: str, dataset) -> None:
        panel = self.panels.get(role)
        if role in self.window.docks:
            self.window.docks[role].setWindowTitle(dock_title(role, dataset))
        if dataset is not None and panel is not None and hasattr(panel, "set_dataset"):
            panel.set_dataset(dataset)
            self.window.docks[role].raise_()
            if dataset.kind in ("image", "movie") and not self._tabs_hold_data():
                self.window.docks["hrtem"].raise_()  # the FFT panel measures its frames too
        elif dataset is None and hasattr(panel, "clear_dataset"):
            panel.clear_dataset()
        self.panels["across"].clear()
        self.front_markers.set_position(None)
        self.linker.set_front_along(None)
        roles = self.window.state.session.roles
        movie = self.window.state.dataset("movie")
        image = movie is not None and movie.kind == "image"
        survey = bool(self.panels["hrtem"].unresolved) and bool({"hrtem", "survey"} & set(roles))
        self.window.dock_layout.fit_to_data(roles, image=image, survey=survey)
