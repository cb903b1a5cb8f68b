"""Opening files and projects in the background and handing datasets to the state."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from insitu_tem.io.load import load
from insitu_tem.io.signal_summaries import SignalSummary, load_or_list, preferred_signal
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.controllers.session_bridge import ROLE_BY_KIND, SessionBridge
from insitu_tem.gui.tasks import TaskRunner


class Opener(QObject):
    """Loads files off the GUI thread and routes each dataset to its role.

    Signals
    -------
    opened(str) : a file was opened successfully (for recent files)
    noted(str) : what the reader noticed in an opened file (the signal opened of several,
        calibration it lacks, NaN pixels), to show the user

    Attributes
    ----------
    choose : callable
        ``choose(name, summaries, on_chosen, preferred)``: asks the user which signal of a
        multi-signal file to open, ``preferred`` selected first
        (:func:`~insitu_tem.io.load.preferred_signal`: a recorded image before the FFT computed
        from it), and calls ``on_chosen(index)`` with the answer (None: ``preferred``), never
        when the user cancels; default: ``preferred`` without asking.
    together : callable
        ``with together():`` around placing the datasets of one file that open together (a map's
        spectrum image and its image), so the window is laid out once for all of them; default:
        nothing.
    """

    opened = Signal(str)
    noted = Signal(str)

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, reporter: ErrorReporter, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.reporter = state, tasks, reporter
        self.place: Callable[[str, Dataset], None] = state.set_dataset
        self.choose: Callable[..., None] = lambda _name, _summaries, on_chosen, _pref: on_chosen(
            None
        )
        self.together: Callable[[], AbstractContextManager] = nullcontext

    def open(
        self,
        path: Path,
        *,
        signal: int | None = None,
        role: str | None = None,
        kind: str | None = None,
        on_failed: Callable[[], None] | None = None,
        remember: bool = True,
        choose: bool = False,
        announce: bool = True,
    ) -> None:
        """Open a data file or a folder of frames; the dataset goes to ``role`` (default: by kind).

        ``kind`` forces the interpretation, e.g. "pattern_series" for a movie of diffraction
        patterns.
        The dataset is handed to ``place(role, dataset)`` (default: straight into the state).
        ``remember`` False: not a recent file (a project's own data, opened with the project).
        ``choose``: when no ``signal`` (nor ``kind``) is given and the file holds several
        signals, the user chooses one (:attr:`choose`); cancelling opens nothing.
        ``announce`` False: the status bar is not told which of the file's signals opened (the
        caller says it).
        """
        if choose and signal is None and kind is None:
            self.tasks.submit(
                lambda: load_or_list(path),
                on_result=lambda found: self._listed(found, path, role, remember, on_failed),
                on_error=lambda error: self._failed(path, error, on_failed),
                description=f"Opening {path.name}",
            )
            return
        self.tasks.submit(
            lambda: load(path, signal=signal, kind=kind),
            on_result=lambda dataset: self._loaded(dataset, path, role, remember, announce),
            on_error=lambda error: self._failed(path, error, on_failed),
            description=f"Opening {path.name}",
        )

    def _listed(self, found, path: Path, role, remember: bool, on_failed) -> None:
        """A single-signal file's dataset; a spectrum image with the images recorded beside it
        (:func:`spectrum_image_and_image`) opened as both; else the signals to choose from."""
        if isinstance(found, Dataset):
            self._loaded(found, path, role, remember)
            return
        pair = spectrum_image_and_image(found) if role is None else None
        if pair is not None:
            summaries = (found[pair[0]], found[pair[1]])
            self.tasks.submit(
                lambda: (load(path, signal=pair[1]), load(path, signal=pair[0])),
                on_result=lambda both: self._pair_loaded(both, path, summaries, remember),
                on_error=lambda error: self._failed(path, error, on_failed),
                description=f"Opening {path.name}",
            )
            return

        preferred = preferred_signal(found)

        def chosen(index: int | None) -> None:
            signal = preferred if index is None else index
            self.open(path, signal=signal, role=role, on_failed=on_failed, remember=remember)

        self.choose(path.name, found, chosen, preferred)

    def _pair_loaded(self, both, path: Path, summaries, remember: bool) -> None:
        """A map's image and spectrum image (``summaries``: the cube's, the image's), read
        together, placed together: the image in the Movie panel (or, a movie being open, as the
        survey), the spectrum image last, so that its panel is the one raised."""
        image, cube = both
        beside = "movie" if self.state.session.raw_dataset("movie") is None else "survey"
        hrtem = self.state.session.raw_dataset("hrtem") is not None
        self.noted.emit(both_opened_text(path.name, *summaries, beside=beside, hrtem=hrtem))
        with self.together():
            self._loaded(image, path, beside, remember=False, announce=False)
            self._loaded(cube, path, None, remember, announce=False)

    def _loaded(
        self, dataset: Dataset, path: Path, role: str | None, remember: bool, announce: bool = True
    ) -> None:
        self.place(role or ROLE_BY_KIND[dataset.kind], dataset)
        notes = list(dataset.warnings)
        index = dataset.metadata.get("signal_index")
        several = len(dataset.signals) > 1 and not any("signals (" in note for note in notes)
        if several and announce:
            notes.insert(0, opened_text(index, dataset.signals))
        if notes:
            self.noted.emit(f"{path.name}: {'; '.join(notes)}")
        if remember:
            self.opened.emit(str(path))

    def _failed(
        self, path: Path, error: BaseException, on_failed: Callable[[], None] | None
    ) -> None:
        if on_failed is not None:
            on_failed()
        if isinstance(error, (DataError, OSError, ValueError)):
            self.reporter.report(f"{path.name}: {error}")
        else:
            self.reporter.report_exception(error, context=path.name)


def opened_text(index: int, titles) -> str:
    """What the status bar says when one signal of a multi-signal file opens, counted from 1 as
    the GUI counts frames and probes, with the command line's 0-based ``--signal`` beside it:
    "signal 2 of 2 (HAADF) opened — --signal 1 on the command line"."""
    return (
        f"signal {index + 1} of {len(titles)} ({titles[index]}) opened — --signal {index} on the "
        "command line"
    )


def both_opened_text(
    name: str, cube: SignalSummary, image: SignalSummary, *, beside: str, hrtem: bool = False
) -> str:
    """What the status bar says when a file's spectrum image and its image open together:
    "0.bcf: the EDX spectrum image in the EDS panel, the HAADF image in the Movie panel"; with a
    movie open the image is the session's survey (``beside``: "survey"), which the FFT panel shows
    unless it holds an HRTEM image (``hrtem``)."""
    panel = "EDS" if cube.signal_type.upper().startswith("EDS") else "EELS"
    spectra = f"{name}: the {cube.title or 'spectrum image'} spectrum image in the {panel} panel"
    shown = f"the {image.title or 'image'} image"
    if beside == "movie":
        return f"{spectra}, {shown} in the Movie panel"
    if hrtem:
        return f"{spectra}, {shown} kept as the survey (the FFT panel shows the HRTEM image)"
    return f"{spectra}, {shown} as the survey in the FFT panel (a movie is open)"


def spectrum_image_and_image(summaries) -> tuple[int, int] | None:
    """(signal index of the spectrum image, of the first image) of a file that holds one
    spectrum image (EELS or EDS, a scan of rows and columns) and, beside it, only images (the
    HAADF or survey image recorded with it, as a Bruker .bcf or a Velox map holds): a
    microscopist opening it wants the spectrum image analysed and its image beside it, not a
    question. None for any other mix of signals (the user chooses)."""
    openable = [s for s in summaries if s.kind and not s.problem]
    cubes = [s for s in openable if s.kind == "spectrum_series" and len(s.axes) == 3]
    images = [s for s in openable if s.kind == "image"]
    if len(cubes) != 1 or not images or len(cubes) + len(images) != len(openable):
        return None
    return cubes[0].index, images[0].index
