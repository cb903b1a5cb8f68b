"""The Tomography panel's volumes and labels in a project: written beside it on saving,
referenced in the session's panel state ``"tomo"`` (:mod:`insitu_tem.io.tomo_files`), and read
back with the series and its stored alignment when the project is opened."""

from __future__ import annotations

from pathlib import Path

from insitu_tem.gui.panels.tomo import jobs
from insitu_tem.io.tomo_files import write_project_volumes
from insitu_tem.workflows import tomo_results as results

PARAMETERS = "tomo"


class ProjectFiles:
    """Saving and reopening for :class:`~.controller.TomoController` (a mixin: it uses the
    controller's session, series, volumes, labels, voxel, signals and job)."""

    def _forget_files(self) -> None:
        """The saved volumes no longer show what is on screen: an autosave must not point at
        them."""
        if self.session.panel_state(PARAMETERS):
            self.session.set_panel_state(PARAMETERS, {})

    def write_project_files(self, project_path: str | Path) -> None:
        """Write the volumes and labels beside the project (unless already there) and reference
        them in the session's panel state (no volumes: no reference)."""
        project_path = Path(project_path).resolve()
        if not self.volumes:
            self._forget_files()
            return
        if self._saved_to == project_path:
            return
        entry = write_project_volumes(
            project_path, self.volumes, self.labels, voxel_size=self.voxel[0], units=self.voxel[1]
        )
        self.session.set_panel_state(PARAMETERS, {"files": entry})
        self._saved_to = project_path

    def open_project_files(self, project_path: str | Path) -> None:
        """A project was opened: re-read its series, re-apply its alignment, read its volumes."""
        parameters = self.session.parameters(PARAMETERS)
        files = self.session.panel_state(PARAMETERS).get("files")
        if not parameters.get("source") and not files:
            return
        self.message.emit("Reading the project's tilt series and volumes…")
        self._start(
            lambda: jobs.reopen(project_path, parameters, files),
            lambda reopened: self._on_reopened(reopened, project_path),
            "tomo-reopen",
            "Tomography: reopen",
        )

    def _on_reopened(self, reopened: jobs.Reopened, project_path) -> None:
        self.series = reopened.series
        stored = self.session.result(results.ALIGNMENT)
        if reopened.series is not None:
            self.seriesLoaded.emit()
            if stored is not None:
                self._show_alignment(results.alignment_from_result(stored))
        if reopened.saved is not None:
            saved = reopened.saved
            self.voxel = (saved.voxel_size, saved.units)
            self._set_volumes(saved.volumes, saved.labels)
            self._saved_to = Path(project_path).resolve()
            self.measurementChanged.emit()
        if reopened.missing:
            self.message.emit(reopened.missing)
        self.restored.emit()
