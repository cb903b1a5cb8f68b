"""EELS analyses, vectorised over every spectrum of a line scan or spectrum image.

Qt-free (numpy/scipy). Spectra are arrays (..., n_channels) with an energy
:class:`~insitu_tem.data.model.Axis` in eV passed explicitly; results are
frozen dataclasses whose arrays have the navigation shape.
"""

from .background import MODELS, BackgroundFit, auto_background_window, fit_background, subtract_background
from .edges_table import EDGES, Edge, edges_in_range, find_edge
from .mlls import MllsFit, end_member_references, mlls_fit
from .onsets import EdgeOnset, edge_onset
from .pipeline import EdgeAnalysis, LowLoss, analyse_edge, analyse_low_loss, default_signal_window
from .shifts import ChemicalShift, chemical_shift, default_fit_window
from .thickness import Deconvolved, Thickness, fourier_log, log_ratio_thickness
from .windows import PlasmonPeak, WindowIntegral, integrate_window, plasmon_peak, ratio_map
from .zlp import AlignedSpectra, EnergyCalibration, ZlpFit, align_zlp, calibrate_two_features, fit_zlp, shift_spectra

__all__ = [
    "MODELS", "BackgroundFit", "auto_background_window", "fit_background", "subtract_background",
    "EDGES", "Edge", "edges_in_range", "find_edge",
    "MllsFit", "end_member_references", "mlls_fit",
    "EdgeOnset", "edge_onset",
    "EdgeAnalysis", "LowLoss", "analyse_edge", "analyse_low_loss", "default_signal_window",
    "ChemicalShift", "chemical_shift", "default_fit_window",
    "Deconvolved", "Thickness", "fourier_log", "log_ratio_thickness",
    "PlasmonPeak", "WindowIntegral", "integrate_window", "plasmon_peak", "ratio_map",
    "AlignedSpectra", "EnergyCalibration", "ZlpFit", "align_zlp", "calibrate_two_features", "fit_zlp",
    "shift_spectra",
]
