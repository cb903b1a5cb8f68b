"""What the NBD panel measures on the pattern in view: a single pattern's centre and spots when
there is no scan to analyse (result "nbd.pattern"), and the simulated ring overlays and ePDF
fitted on the current probe's radial profile of the scan result (result "nbd.rings").

Both are kept for the pattern in view only (the latest wins); they are stored so that a
reopened project and an export show what the screen showed without measuring again.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern
from insitu_tem.analysis.diffraction.ring_fit import profile_pdf, ring_overlays
from insitu_tem.core.model import DataError
from insitu_tem.core.session import Session
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.common import require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps
from insitu_tem.workflows.nbd import NAME as SCAN

PATTERN, RINGS = "nbd.pattern", "nbd.rings"


def prepare_pattern(session: Session, index: int) -> Job:
    """The single-pattern job: direct-beam centre, spots and radial profile of pattern ``index``
    (calibrated when the pattern axis is in 1/nm)."""
    dataset = require(session, "nbd", ("pattern", "pattern_series"))
    if not 0 <= int(index) < dataset.n_items:
        raise DataError(f"pattern {index} is outside 0 to {dataset.n_items - 1}")
    parameters = pattern_parameters(session, index)
    scale, pattern = parameters["scale_per_nm"], dataset.frame(int(index))

    def compute(steps: Steps) -> dict:
        found = analyse_pattern(np.asarray(pattern), scale_per_nm=scale)
        centre = found.centre
        return {
            "index": int(index),
            "centre_rc": list(centre.centre_rc),
            "centre_sigma_px": float(centre.sigma_px),
            "centre_ok": bool(centre.ok),
            "centre_reason": centre.reason,
            "spots_rc": np.asarray(found.spots.position_rc, float).reshape(-1, 2),
            "r_px": found.r_px,
            "q_per_A": found.q_per_A,
            "profile": found.profile,
        }

    return Job(PATTERN, parameters, session.fingerprints(["nbd"]), compute)


def pattern_parameters(session: Session, index: int) -> dict:
    """What a single pattern's analysis depends on besides the data: which pattern and the
    detector calibration (1/nm per px, None when the pattern axis is not in 1/nm)."""
    axis = session.dataset("nbd").signal_axes[-1]
    return {
        "index": int(index),
        "scale_per_nm": float(axis.scale) if axis.units == "1/nm" else None,
    }


def pattern_text(value: dict) -> str:
    """The status line of a single pattern's analysis (screen and export); a centre that is not
    measured says why instead of giving a position with a 1σ."""
    row, col = value["centre_rc"]
    if not value.get("centre_ok", True):
        why = value.get("centre_reason") or "no reason given"
        return f"{len(value['spots_rc'])} spots, centre not measured: {why}"
    sigma = value.get("centre_sigma_px", float("nan"))
    spread = f" ± {sigma:.2g}" if np.isfinite(sigma) else ""
    return f"{len(value['spots_rc'])} spots, centre ({row:.2f}, {col:.2f}){spread} px"


def prepare_rings(
    session: Session, index: int, *, composition: str, child: ChildProcess | None = None
) -> Job:
    """The ring-overlay job: simulated profiles of the library's candidate phases fitted on probe
    ``index``'s radial profile of the scan result "nbd", and its reduced PDF G(r) for
    ``composition`` (or why there is none); computed in ``child`` when given (the same
    numbers)."""
    scan = session.result(SCAN)
    if scan is None or scan.value.get("q_per_A") is None:
        raise DataError("analyse the calibrated NBD scan first; the ring overlays use its profiles")
    q = np.asarray(scan.value["q_per_A"], float)
    profile = np.asarray(scan.value["profiles"][int(index)], float)

    def compute(steps: Steps) -> dict:
        if child is not None:
            return child.run(ring_values, steps, q, profile, composition)
        return ring_values(q, profile, composition, should_stop=steps.should_stop)

    parameters = {"index": int(index), "composition": composition}
    return Job(RINGS, parameters, session.fingerprints([f"result.{SCAN}"]), compute)


def ring_values(
    q: np.ndarray,
    profile: np.ndarray,
    composition: str,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> dict:
    """The value of result "nbd.rings" for the radial ``profile`` on ``q`` (1/Å): the fitted
    ring overlays and the reduced PDF for ``composition``, or why there is none."""
    overlays = [
        {
            "label": overlay.label,
            "ok": bool(overlay.fit.ok),
            "q_per_A": overlay.fit.q_per_A,
            "fitted": overlay.fit.fitted,
            "r_factor": overlay.fit.r_factor,
        }
        for overlay in ring_overlays(q, profile)
    ]
    Steps(should_stop, progress).check()
    try:
        pdf = profile_pdf(q, profile, composition=composition)
    except ValueError as error:
        return {
            "overlays": overlays,
            "pdf": None,
            "pdf_message": f"No ePDF for this profile: {error}",
        }
    return {
        "overlays": overlays,
        "pdf": {"r_A": pdf.r_A, "G_r": pdf.G_r, "peaks_A": list(pdf.peaks_A)},
        "pdf_message": pdf_text(pdf.peaks_A, float(pdf.q_per_A.max())),
    }


def pdf_text(peaks_A, q_max_per_A: float) -> str:
    """The note under G(r): its first maxima and the real-space resolution of q_max."""
    peaks = ", ".join(f"{p:.2f}" for p in list(peaks_A)[:4])
    return (
        f"G(r) maxima at {peaks} Å (resolution ≈ {1.2 / q_max_per_A:.1f} Å "
        f"for q_max = {q_max_per_A:.2f} 1/Å)"
    )


def current(session: Session, name: str, parameters: dict) -> dict | None:
    """The value of result ``name`` when it is current for ``parameters`` (else None)."""
    if session.result_status(name, parameters) != "current":
        return None
    return session.result(name).value
