"""The EELS result's numbers as the session stores them (JSON-ready lists per probe): an edge's
onsets, shifts, detection, window counts and background fit, and the MLLS fractions."""

from __future__ import annotations

import numpy as np


def flat(values) -> list:
    """``values`` as a flat list of floats (NaN kept), in probe order."""
    return np.asarray(values, float).reshape(-1).tolist()


def edge_values(edge) -> dict:
    """An edge's per-probe numbers, the windows used and the background fit of every probe;
    ``map_ok`` and ``map_reason`` say where the window map is withheld (null) and why."""
    background, mlls = edge.window.background, edge.mlls
    return {
        **_background_values(background),
        "edge": edge.edge,
        "edge_onset_eV": flat(edge.onset.onset_eV),
        "edge_onset_sigma_eV": flat(edge.onset.stderr_eV),
        "edge_onset_definition": edge.onset.definition,
        "chemical_shift_eV": flat(edge.shift.shift_eV),
        "chemical_shift_stderr_eV": flat(edge.shift.stderr_eV),
        "chemical_shift_statistical_eV": flat(edge.shift.statistical_eV),
        "chemical_shift_systematic_eV": flat(edge.shift.systematic_eV),
        "edge_detected": _detected(edge.shift),
        "edge_detection_p": flat(edge.shift.detection_p),
        "edge_ok": bool(edge.onset.ok and edge.shift.ok),
        "edge_reason": "; ".join(
            dict.fromkeys(
                p for r in (edge.onset.reason, edge.shift.reason) for p in r.split("; ") if p
            )
        ),
        **map_values(edge.window),
        "background_window_eV": list(edge.shift.background_window_eV),
        "mlls_fraction": None if mlls is None else flat(mlls.fractions[..., 0]),
        "mlls_chi2": None if mlls is None else flat(mlls.chi2_reduced),
        **mlls_values(mlls),
    }


def map_values(window) -> dict:
    """A window map (:class:`~insitu_tem.analysis.eels.windows.WindowIntegral`) per probe:
    "map_counts" and its 1σ "map_counts_sigma" (counts; NaN where withheld), "map_ok" and
    "map_reason" (why not, "" when measured everywhere) and "signal_window_eV"."""
    return {
        "map_counts": flat(window.counts),
        "map_counts_sigma": flat(window.counts_sigma),
        "map_ok": window.ok,
        "map_reason": window.reason,
        "signal_window_eV": list(window.window_eV),
    }


def _detected(shift) -> list:
    """Per probe: whether the edge was detected, None where the test was not run (p-value
    NaN: a lone spectrum, or a fit that found no shift to test)."""
    tested = np.isfinite(np.ravel(shift.detection_p))
    return [bool(d) if t else None for d, t in zip(np.ravel(shift.detected), tested)]


def mlls_values(mlls) -> dict:
    """The MLLS fit's 1σ of the first end member's fraction per probe, every component's
    fraction ± 1σ per probe (lists of [first end, last end]), and ``mlls_ok`` with
    ``mlls_reason`` (false with why where a probe has none, or for a scan of fewer than 6
    probes, which has no end members)."""
    if mlls is None:
        return {
            "mlls_fraction_sigma": None,
            "mlls_fractions": None,
            "mlls_fractions_sigma": None,
            "mlls_ok": False,
            "mlls_reason": "fewer than 6 spectra: no end members (the means of the first and "
            "last 3) to fit",
        }
    k = mlls.fractions.shape[-1]
    return {
        "mlls_fraction_sigma": flat(mlls.fractions_sigma[..., 0]),
        "mlls_fractions": np.asarray(mlls.fractions, float).reshape(-1, k).tolist(),
        "mlls_fractions_sigma": np.asarray(mlls.fractions_sigma, float).reshape(-1, k).tolist(),
        "mlls_ok": bool(mlls.ok),
        "mlls_reason": mlls.reason,
    }


def _background_values(background) -> dict:
    if background is None:
        return {"background_model": None, "background_params": None, "background_chi2": None}
    return {
        "background_model": background.model,
        "background_fit_window_eV": list(background.window_eV),
        "background_params": np.asarray(background.params, float)
        .reshape(-1, background.params.shape[-1])
        .tolist(),
        "background_chi2": flat(background.chi2_reduced),
    }
