"""What the EELS panel draws, from the session's EELS result: the spectrum at a probe (ZLP-aligned
or as recorded) and the background fitted under the edge. The panel and the export both call
these, so the exported spectrum is the one on screen."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels.background import BackgroundFit
from insitu_tem.analysis.eels.zlp import shift_spectra
from insitu_tem.core.model import Dataset
from insitu_tem.core.session import Session


def session_value(session: Session) -> dict | None:
    """The session's EELS result value for the edge and parameters the user chose (None when
    there is none, or its data or parameters changed since)."""
    dataset = session.dataset("eels")
    if dataset is None:
        return None
    chosen = session.parameters("eels")
    edge = shown_edge(session, dataset)
    name = "eels" if edge is None else f"eels.{edge}"
    result = session.result(name)
    if result is None or session.result_status(name) != "current":
        return None
    same = all(result.parameters.get(k) == v for k, v in chosen.items() if k != "reference")
    reference = chosen.get("reference")
    if reference is not None and reference % dataset.n_items != result.parameters["reference"]:
        return None
    return result.value if same else None


def shown_edge(session: Session, dataset: Dataset) -> str | None:
    """The edge the EELS panel analyses: the user's choice, else the data's default edge as the
    session keeps it (read, not kept: drawing a view does not change the project)."""
    chosen = session.parameters("eels")
    if "edge" in chosen:
        return chosen["edge"]
    from insitu_tem.analysis.eels.edge_choice import DEFAULT_EDGE, kept_default_edge

    return kept_default_edge(
        dataset, kept=session.parameters(DEFAULT_EDGE), data=session.fingerprint("eels")
    )


def shown_spectrum(
    dataset: Dataset, value: dict | None, index: int, *, aligned: bool
) -> np.ndarray:
    """Counts of spectrum ``index``: moved by its ZLP offset when ``aligned`` and the result
    ``value`` aligned the scan (every spectrum has a ZLP), else as recorded."""
    counts = np.asarray(dataset.frame(index), float)
    if not (aligned and is_aligned(value)):
        return counts
    offset = value["zlp_offset_eV"][index]
    return shift_spectra(counts[None], dataset.signal_axes[0], [offset]).array[0]


def is_aligned(value: dict | None) -> bool:
    """Whether the EELS result aligned the spectra on their ZLPs."""
    return bool(value and value.get("aligned"))


def background_curve(
    value: dict | None, energy_eV: np.ndarray, index: int, *, aligned: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """(energy, counts) of the background fitted under the edge at probe ``index``, from the
    background window to the end of the signal window, eV; None without an edge result or when
    the fit (made on aligned counts) does not match the counts shown (raw)."""
    if not value or not value.get("background_params"):
        return None
    if is_aligned(value) and not aligned:
        return None
    params = np.asarray(value["background_params"][index], float)
    fit = BackgroundFit(
        value["background_model"],
        tuple(value["background_fit_window_eV"]),
        params,
        np.zeros(()),
        np.zeros(()),
        np.ones((), bool),
    )
    inside = (energy_eV >= value["background_fit_window_eV"][0]) & (
        energy_eV <= value["signal_window_eV"][1]
    )
    return energy_eV[inside], fit.evaluate(energy_eV[inside])
