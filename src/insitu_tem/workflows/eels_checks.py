"""EELS spectra the edge analysis cannot use, refused before it fails: a DataError naming the
file and saying what to do (the analysis' own ValueError names neither)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from insitu_tem.analysis.eels.zlp import fit_zlp
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.io.kinds import is_xray_spectrum
from insitu_tem.workflows.common import file_name

if TYPE_CHECKING:
    from insitu_tem.analysis.eels.pipeline import LowLoss


class UnusableSpectra(DataError):
    """Spectra the analysis cannot use; the message says why without the file's name (the
    spectra reach a worker process without it), :func:`naming` adds it."""


def deconvolvable(low_loss: LowLoss, energy, deconvolve: bool | None, edge: str) -> None:
    """UnusableSpectra when the edge analysis would deconvolve by Fourier-log (``deconvolve``
    True or None, the spectra aligned on a zero-loss peak) but the aligned spectra hold no
    zero-loss peak in every spectrum: the peak taken for it was not one (a plasmon of
    core-loss spectra that start above 0 eV)."""
    if deconvolve is False or low_loss.aligned is None:
        return
    refit = fit_zlp(low_loss.aligned.array, energy, uncertainty=False)
    if refit.ok:
        return
    peak, width = (float(np.nanmedian(v)) for v in (low_loss.zlp.position_eV, low_loss.zlp.fwhm_eV))
    raise UnusableSpectra(
        f"the Fourier-log deconvolution of the {edge} edge needs a zero-loss peak in every "
        f"spectrum, but once aligned there is {refit.reason} (the peak taken for it lies near "
        f"{peak:.3g} eV and is {width:.2g} eV wide) — open the line scan's low-loss spectra, "
        "with the zero-loss peak, or analyse without deconvolution (insitu-tem eels "
        "--no-deconvolve)"
    )


def eds_message(dataset: Dataset) -> str:
    """What is said of ``dataset`` when its file marks it as EDS (X-ray) spectra: the file, and
    what to do (``insitu-tem eds`` identifies the X-ray lines of any EDS spectrum and maps those
    of spectrum images; the EELS panel shows them, not analysed)."""
    start = (
        f"{file_name(dataset, 'eels')}: holds EDS (X-ray) spectra, not electron energy-loss spectra"
    )
    if len(dataset.navigation_axes) == 2:
        return f"{start} — map its X-ray lines with insitu-tem eds, or open EELS data"
    return (
        f"{start} — shown, not analysed here; insitu-tem eds names its X-ray lines (net counts "
        "± 1σ, overlaps named); open EELS data to measure edges"
    )


def not_eds(dataset: Dataset) -> Dataset:
    """``dataset`` unless its file marks it as EDS (X-ray) spectra; else DataError naming the
    file and what to do."""
    if is_xray_spectrum(dataset):
        raise DataError(eds_message(dataset))
    return dataset


@contextmanager
def naming(dataset: Dataset) -> Iterator[None]:
    """Raise an :class:`UnusableSpectra` of the block again as a DataError that starts with the
    name of ``dataset``'s file."""
    try:
        yield
    except UnusableSpectra as error:
        raise DataError(f"{file_name(dataset, 'eels')}: {error}") from None
