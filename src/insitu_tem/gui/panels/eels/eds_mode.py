"""The EELS panel with EDS (X-ray) data: the spectrum shown is the sum of the spectrum image (or
one probe's, or a drawn region's: view keys ``eds.source`` and ``eds.box``) on an X-ray energy
axis in keV; its lines are identified off the GUI thread (:mod:`insitu_tem.workflows.
eds_identify`, result "eds.identify" in the session) and marked on it: present lines solid,
ambiguous ones dashed with their alternatives named, lines not detected only for the elements
the user typed (or the file names), dotted. A clicked table row maps that line. Spectra,
identifications and maps already computed for a (data, region) are kept and shown again without
recomputing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.figures.probe_numbers import region_text
from insitu_tem.analysis.eds.spectrum_region import axis_correction
from insitu_tem.core.results import Result, digest
from insitu_tem.figures.eds_display import (
    FROM_KEV,
    shown_findings,
    threshold_text,
    typed_elements,
)
from insitu_tem.figures.eds_display import marker_lines as family_markers
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.eels.eds_exports import EdsExports
from insitu_tem.gui.panels.eels.eds_view import STATUS_COLOURS, EdsView
from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetParametersCommand
from insitu_tem.workflows import eds_identify

KEYS = ("eds-spectrum", "eds-identify", "eds-map")
"""Task keys: a newer request of each kind supersedes the older."""
SECONDARY_ALPHA = "66"
"""Opacity (hex, of ff) of the lines of a family other than its main line."""
FOLLOW_DELAY_MS = 250
"""A probe scrubbed along (or a setting stepped) is identified once it rests this long: each
newer identification would stop the running one, whose worker process is then forked again."""
STYLES = {
    "present": Qt.PenStyle.SolidLine,
    "ambiguous": Qt.PenStyle.DashLine,
    "not detected": Qt.PenStyle.DotLine,
}


class EdsMode(QObject):
    """Spectrum, identification and maps of the session's EDS data in the EELS panel.

    Signals
    -------
    readout(str) : one line on what is shown and what is being computed
    """

    readout = Signal(str)

    def __init__(
        self,
        state: SessionBridge,
        tasks: TaskRunner,
        plot: EelsSpectrumPlot,
        view: EdsView,
        undo_stack: QUndoStack,
    ) -> None:
        super().__init__(view)
        self.state, self.tasks, self.plot, self.view = state, tasks, plot, view
        self.undo_stack = undo_stack
        self._later = QTimer(self, singleShot=True, interval=FOLLOW_DELAY_MS)
        self._later.timeout.connect(self.refresh)
        self.dataset = None
        self._fresh = False
        self._spectra: dict[str, np.ndarray] = {}
        self._found: dict[str, Result] = {}
        self._maps: dict[str, tuple] = {}
        view.source_changed.connect(self._source_chosen)
        view.region_drawn.connect(lambda box: self._set_view("eds.box", list(box)))
        view.line_chosen.connect(self.show_line_map)
        plot.marker_clicked.connect(self.show_line_map)
        view.probe_picked.connect(self.state.set_scan_index)
        view.cursor_text.connect(self.state.report_cursor)
        view.settings.changed.connect(self._set_settings)
        view.settings.rejected.connect(self.readout)
        self.exports = EdsExports(self)
        self.exports.done.connect(self.readout)

    @property
    def session(self):
        return self.state.session

    def set_dataset(self, dataset) -> None:
        """Show ``dataset`` (EDS spectra): its spectrum, identification and counts map."""
        self.cancel()
        self.dataset = dataset
        scan = len(dataset.navigation_axes) == 2
        self.view.set_source(self.state.view("eds.source") or "sum", scan=scan)
        self.plot.setLabel("bottom", self._axis_label(), units=None)
        self.view.clear_map()
        self.view.map_plot.setVisible(scan)  # a lone spectrum or a line scan has no map
        self.view.settings.show_values(self.settings())
        self.view.settings.maps_button.setEnabled(scan)
        if scan:
            self.view.set_scan(*dataset.shape[:2])
            self._request_map(None)
        self._fresh = True
        self.refresh()

    def clear(self) -> None:
        """The EDS data left the session."""
        self.cancel()
        self.dataset = None
        self._spectra, self._found, self._maps = {}, {}, {}

    def cancel(self) -> None:
        self._later.stop()
        self.tasks.cancel_keys(KEYS)

    def refresh_soon(self) -> None:
        """:meth:`refresh` once no call came for :data:`FOLLOW_DELAY_MS` (a probe scrubbed)."""
        self._later.start()

    def settings(self) -> dict:
        """The identification settings in effect: the session's "eds.identify" parameters over
        the defaults (resolution None: measured on the spectrum)."""
        return {
            "resolution_mn_ka_ev": None,
            "false_alarm": eds_identify.DEFAULT_FALSE_ALARM,
            "kfactors": {},
            **self.session.parameters(eds_identify.NAME),
        }

    def _set_settings(self, values: dict) -> None:
        """The user changed a setting: an undoable step kept in the project."""
        before = self.session.parameters(eds_identify.NAME)
        after = {**self.settings(), **values}
        if after != self.settings():
            text = "EDS identification settings"
            self.undo_stack.push(
                SetParametersCommand(self.session, eds_identify.NAME, before, after, text)
            )

    def settings_changed(self) -> None:
        """The session's settings changed (the user, undo, a project): show them and identify
        with them once they rest."""
        self.view.settings.show_values(self.settings())
        self.refresh_soon()

    def _job(self, region, child=None, identified=None):
        settings = self.settings()
        return eds_identify.prepare(
            self.session,
            region=region,
            elements=self.elements(),
            resolution_mn_ka_ev=settings["resolution_mn_ka_ev"],
            false_alarm=settings["false_alarm"],
            kfactors=settings["kfactors"],
            child=child,
            identified=identified,
        )

    def _identification_key(self, parameters: dict) -> str:
        """What an identification depends on: its parameters but the k-factors."""
        return self._key({k: v for k, v in parameters.items() if k != "kfactors"})

    def _axis_label(self) -> str:
        if self.dataset.signal_axes[-1].units != "eV":
            return "Channel"
        return "X-ray energy (keV)"

    def _set_view(self, key: str, value) -> None:
        self.state.set_view(key, value)
        self.refresh()

    def _source_chosen(self, key: str) -> None:
        self.view.set_source(key, scan=True)
        self._set_view("eds.source", key)

    def region(self) -> dict | None:
        """The region summed (:mod:`insitu_tem.workflows.eds_identify`) for the choice shown."""
        source = self.view.source
        if source == "probe":
            return {"probe": min(self.state.scan_index, self.dataset.n_items - 1)}
        if source == "region":
            return {"box": self.state.view("eds.box") or self.view.box()}
        return None

    def elements(self) -> tuple[str, ...]:
        """The elements always reported: those typed in the Elements box (the file's until
        then)."""
        return typed_elements(self.session, self.dataset)

    def follow_probe(self) -> None:
        """The probe moved: its spectrum at once, its lines once it rests
        (:data:`FOLLOW_DELAY_MS`)."""
        self.refresh(identify=False)
        self.refresh_soon()

    def refresh(self, *, identify: bool = True) -> None:
        """Show the spectrum and lines of the region in effect, computing what is missing (the
        lines only when ``identify``; else those already known)."""
        self._later.stop()
        if self.dataset is None:
            return
        region = self.region()
        if region and "box" in region:
            self.view.place_region(region["box"])
        key = self._key(region)
        if key in self._spectra:
            self._summed(key, self._spectra[key])
        else:
            self.plot.set_spectrum(np.zeros(0), np.zeros(0))
            dataset = self.dataset
            self.tasks.submit(
                lambda: eds_identify.summed_spectrum(dataset, region),
                key=KEYS[0],
                on_result=lambda counts: self._summed(key, counts),
                on_error=lambda error: self.readout.emit(f"EDS: {error}"),
                description="EDS: summing the spectra",
            )
        if identify:
            self._identify(region)
        elif self.result_value() is not None:
            self.render()
        else:
            what = region_text(self.dataset.n_items, region)
            self.view.show_busy(f"The X-ray lines of {what} are identified once the probe rests")
            self.view.settings.show_used(None)
            self._show_lines(None)

    def _key(self, region, *extra) -> str:
        return digest([self.session.fingerprint("eels"), region, *extra])

    def _summed(self, key: str, counts: np.ndarray) -> None:
        self._spectra[key] = counts
        if self.dataset is not None and key == self._key(self.region()):
            self._show_counts(counts)
            if self._fresh:
                self.show_lines_range()
            self._fresh = False

    def show_lines_range(self) -> None:
        """Fit the view to the spectrum above :data:`FROM_KEV` (the detector's noise peak at
        0 keV, drawn, would flatten every X-ray line; it is left above the view)."""
        self.plot.show_all()
        energies, counts = (np.asarray(v, float) for v in self.plot.curve.getOriginalDataset())
        above = (energies >= FROM_KEV) & np.isfinite(counts)
        logarithmic = self.plot.getPlotItem().ctrl.logYCheck.isChecked()
        if self._axis_label() == "Channel" or not above.any() or logarithmic:
            return
        self.plot.getPlotItem().vb.setRange(
            xRange=(max(energies[0], 0.0), energies[-1]),
            yRange=(0.0, 1.05 * float(counts[above].max())),
        )

    def _show_counts(self, counts: np.ndarray) -> None:
        self.plot.set_spectrum(self._energies_kev(), counts)
        self.render()

    def _energies_kev(self) -> np.ndarray:
        energies = eds_identify.energies_ev(self.dataset)
        if np.all(np.isfinite(energies)):
            return energies / 1000.0
        return np.arange(energies.size, dtype=float)

    def _identify(self, region) -> None:
        job = self._job(region, child=self.tasks.eels_child)
        if self.session.result_status(job.name, job.parameters) == "current":
            self.render()
            return
        key = self._key(job.parameters)
        if key in self._found:
            self.session.store_result(job.name, self._found[key], dirty=False)
            return
        same = self._found.get(self._identification_key(job.parameters))
        if same is not None:
            job = self._job(region, identified=same.value)
        what = region_text(self.dataset.n_items, region)
        self.view.show_busy(f"Identifying the X-ray lines of {what}…")
        self.view.settings.show_used(None)
        self.readout.emit(f"{self.file_name()}: identifying the X-ray lines of {what}…")
        self._show_lines(None)

        def stored(result: Result) -> None:
            self._found[key] = self._found[self._identification_key(job.parameters)] = result
            self.session.store_result(job.name, result, dirty=False)

        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=KEYS[1],
            on_result=stored,
            description="EDS: identifying X-ray lines",
            in_worker=True,
        )

    def result_value(self) -> dict | None:
        """The identification of the region in effect (None while it is computed)."""
        if self.dataset is None:
            return None
        job = self._job(self.region())
        if self.session.result_status(job.name, job.parameters) != "current":
            return None
        return self.session.result(job.name).value

    def shown_region(self) -> str:
        """What the spectrum shown sums, in words, numbered as the GUI shows probes."""
        return region_text(self.dataset.n_items, self.region())

    def render(self) -> None:
        """Draw the current identification: markers, fitted continuum, table, readout."""
        value = self.result_value()
        self._show_lines(value)
        self.view.settings.show_used(value)
        if value is None:
            return
        self.view.show_identification(value, self.shown_region())
        hint = " — click a row of the table to map its line" if self._scan() else ""
        summary = f"{self.view.summary.text()} ({threshold_text(value)})" if value["ok"] else ""
        self.readout.emit(f"{self.file_name()}: {summary or self.view.summary.text()}{hint}")

    def _show_lines(self, value: dict | None) -> None:
        lines = []
        for finding in shown_findings(value, self.elements()):
            status = finding["status"]
            lines += marker_lines(finding, STATUS_COLOURS[status], STYLES[status], value)
        self.plot.draw_markers(lines, first=lambda line: bool(line[1]))
        continuum = None if value is None or not value["ok"] else value["continuum"]
        if continuum is None or len(continuum) != self.dataset.signal_axes[-1].size:
            self.plot.set_background(None, None)
        else:
            self.plot.set_background(self._energies_kev(), np.asarray(continuum, float))

    def show_line_map(self, line: str) -> None:
        """Map the net counts of ``line`` ("Fe_Ka") over the spectrum image."""
        if self.dataset is None or len(self.dataset.navigation_axes) != 2:
            self.readout.emit(f"{self.file_name()}: a line map needs a spectrum image")
            return
        self._request_map(line)

    def _request_map(self, line: str | None) -> None:
        identification = self.result_value()
        fwhm = (identification or {}).get("resolution_mn_ka_ev")
        key = self._key(None, line, fwhm, axis_correction(identification))
        if key in self._maps:
            self.view.show_map(*self._maps[key])
            return
        dataset, name = self.dataset, self._line_label(line)

        def compute():
            if line is None:
                return "Total X-ray counts", eds_identify.counts_map(dataset), None
            found = eds_identify.line_map(dataset, line, identification=identification)
            title = f"{name} net counts"
            if not found.ok:
                title += f" (not measured: {found.reason})"
            return title, found.counts, found.sigma

        def shown(mapped) -> None:
            self._maps[key] = mapped
            if self.dataset is dataset:
                self.view.show_map(*mapped)

        self.tasks.submit(
            compute,
            key=KEYS[2],
            on_result=shown,
            on_error=lambda error: self.readout.emit(f"EDS map: {error}"),
            description=f"EDS: map of {line or 'the total counts'}",
        )

    def _line_label(self, line: str | None) -> str:
        """How the identification names ``line`` ("Fe Kα" for "Fe_Ka")."""
        for finding in (self.result_value() or {}).get("findings", ()):
            if line in finding["lines"]:
                return finding["line_labels"][finding["lines"].index(line)]
        return str(line).replace("_", " ")

    def _scan(self) -> bool:
        return self.dataset is not None and len(self.dataset.navigation_axes) == 2

    def file_name(self) -> str:
        """The name of the file shown."""
        from insitu_tem.workflows.common import file_name

        return file_name(self.dataset, "eds")


def marker_lines(
    finding: dict, colour: str, style, identification: dict | None = None
) -> list[tuple]:
    """(energy keV, label, colour, pen style, line name) of every line of ``finding``'s family
    as :func:`~insitu_tem.figures.eds_display.marker_lines` names and places them on the
    spectrum's axis, the unlabelled ones fainter."""
    return [
        (energy, text, colour if text else colour + SECONDARY_ALPHA, style, name)
        for energy, text, name in family_markers(finding, identification)
    ]
