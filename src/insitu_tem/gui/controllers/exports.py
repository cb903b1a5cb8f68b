"""File ▸ Export: figures rendered from the session on screen, the movie, line-scan profiles, the
EELS window map with its 1σ."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.tasks import TaskRunner


class Exports(QObject):
    """Asks where to write, then exports in the background.

    Parameters
    ----------
    session : callable() -> Session
        The session on screen, panels' state written into it.
    profiles : callable() -> list
        Every plot whose x axis is the position along the line scans.
    folder : callable() -> str
        Where the file dialogs open.
    done : callable(str)
        Tells the user a file was written.
    chose : callable(str)
        Told every path the user picks (the next dialog opens in its folder).
    panel_figures : dict of str to callable(str, int)
        Views a panel renders itself from what it shows (``render(path, dpi)``), such as the
        Tomography panel's volumes, which need not be saved yet.
    """

    def __init__(
        self,
        window: QWidget,
        tasks: TaskRunner,
        reporter: ErrorReporter,
        *,
        session: Callable,
        profiles: Callable,
        folder: Callable[[], str],
        chose: Callable[[str], None] = lambda path: None,
        done: Callable[[str], None],
        panel_figures: dict[str, Callable[[str, int], object]] | None = None,
    ) -> None:
        super().__init__(window)
        self.window, self.tasks, self.reporter = window, tasks, reporter
        self.session, self.profiles, self.folder, self.done = session, profiles, folder, done
        self.chose = chose
        self.panel_figures = dict(panel_figures or {})

    def figure(self, view: str, path: str, *, dpi: int = 300) -> int:
        """Render ``view`` of the session on screen to ``path`` in the background; return the task
        id.

        The worker renders a frozen snapshot taken here, on the GUI thread: what the screen
        shows when the user asked, never the live session a later click changes. A view in
        ``panel_figures`` is rendered by its panel, here (task id -1)."""
        from insitu_tem.figures.export import provenance, save_figure
        from insitu_tem.figures.views import render_view

        if view in self.panel_figures:
            self._panel_figure(view, path, dpi)
            return -1
        session = self.session().snapshot()

        def work():
            figure, parameters = render_view(session, view, dpi=dpi)
            return save_figure(
                figure, path, dpi=dpi, record=provenance(session.sources(), parameters)
            )

        return self.tasks.submit(
            work,
            description=f"Exporting {Path(path).name}",
            on_result=lambda out: self.done(f"Exported {out}"),
        )

    def _panel_figure(self, view: str, path: str, dpi: int) -> None:
        try:
            out = self.panel_figures[view](path, dpi)
        except Exception as error:
            self.reporter.report_exception(error, context=f"Export figure {view}")
            return
        self.done(f"Exported {out}")

    def figure_dialog(self) -> None:
        """File ▸ Export Figure: pick a view, then a file."""
        from insitu_tem.figures.views import VIEW_NAMES

        view, ok = QInputDialog.getItem(
            self.window, "Export figure", "View", list(VIEW_NAMES), 0, False
        )
        if not ok:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Export figure",
            self.folder(),
            "PNG (*.png);;TIFF (*.tif);;SVG (*.svg);;PDF (*.pdf)",
        )
        if path:
            self.chose(path)
            self.figure(view, path)

    def profiles_dialog(self) -> None:
        """File ▸ Export Line-Scan Profiles: every EELS and NBD profile against position, one
        CSV."""
        from insitu_tem.gui.controllers.profile_export import profile_columns, write_profiles_csv
        from insitu_tem.gui.guarded_save import save_guarded

        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export profiles", self.folder(), "CSV (*.csv)"
        )
        if not path:
            return
        self.chose(path)
        profiles = self.profiles()
        if profile_columns(profiles)[0] is None:
            self.reporter.report("Export profiles: no line-scan profile has been computed yet")
            return
        save_guarded(path, lambda temporary: write_profiles_csv(profiles, temporary))
        self.done(f"Exported the line-scan profiles to {path}")

    def eels_map_dialog(self) -> None:
        """File ▸ Export EELS Window Map: the edge's map on screen and its 1σ as float32 TIFFs and
        a CSV in a folder the user picks."""
        from insitu_tem.figures.eels_display import session_value
        from insitu_tem.workflows.eels_export import write_window_map

        value = session_value(self.session())
        if not value or not value.get("edge"):
            self.reporter.report("Export EELS window map: analyse an edge in the EELS panel first")
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, "Export EELS window map", self.folder()
        )
        if not folder:
            return
        self.chose(folder)
        try:
            write_window_map(Path(folder), value)
        except Exception as error:
            self.reporter.report_exception(error, context="Export EELS window map")
            return
        self.done(f"Exported the {value['edge']} window map and its 1σ to {folder}")

    def movie_dialog(self, movie, *, fps: float = 10.0, crops: dict | None = None) -> None:
        """File ▸ Export Movie: the movie on screen as MP4 or GIF, in the screen's colour map,
        gamma and levels, with the options asked first (frame rate, default the playback
        rate; size; crop; frame range)."""
        from insitu_tem.gui.widgets.movie_export_dialog import MovieExportDialog

        if movie is None or movie.kind != "movie":
            self.reporter.report("Export movie: open a movie first")
            return
        dialog = MovieExportDialog(
            n_frames=movie.n_items,
            fps=fps,
            crops=crops or {"Whole frame": None},
            frame_range=(0, movie.n_items - 1),
            parent=self.window,
        )
        if not dialog.exec():
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export movie", self.folder(), "MP4 (*.mp4);;GIF (*.gif)"
        )
        if path:
            self.chose(path)
            self.movie(movie, path, **dialog.options())

    def movie(self, movie, path: str, **options) -> int:
        """Export ``movie`` to ``path`` as the screen shows it, in the background; the task id.
        ``options``: fps, zoom, crop, start, stop, step of
        :func:`insitu_tem.figures.movie_export.export_movie`."""
        from insitu_tem.figures.movie_export import export_movie
        from insitu_tem.figures.views import movie_look

        look = movie_look(self.session().snapshot())
        return self.tasks.submit(
            lambda control: export_movie(movie, path, progress=control.progress, **look, **options),
            description=f"Exporting {Path(path).name}",
            on_result=lambda _out: self.done(f"Exported {path}"),
        )
