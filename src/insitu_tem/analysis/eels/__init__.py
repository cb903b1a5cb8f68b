"""EELS analyses, vectorised over every spectrum of a line scan or spectrum image.

Qt-free (numpy/scipy). Spectra are arrays (..., n_channels) with an energy
:class:`~insitu_tem.core.model.Axis` in eV passed explicitly; results are
frozen dataclasses whose arrays have the navigation shape.
"""

from insitu_tem.analysis.eels.background import MODELS, BackgroundFit, auto_background_window, fit_background, subtract_background
from insitu_tem.analysis.eels.edges_table import EDGES, Edge, edges_in_range, find_edge
from insitu_tem.analysis.eels.mlls import MllsFit, end_member_references, mlls_fit
from insitu_tem.analysis.eels.onsets import EdgeOnset, edge_onset
from insitu_tem.analysis.eels.pipeline import EdgeAnalysis, LowLoss, analyse_edge, analyse_low_loss, default_signal_window
from insitu_tem.analysis.eels.shifts import ChemicalShift, chemical_shift, default_fit_window
from insitu_tem.analysis.eels.thickness import Deconvolved, Thickness, fourier_log, log_ratio_thickness
from insitu_tem.analysis.eels.windows import PlasmonPeak, WindowIntegral, integrate_window, plasmon_peak, ratio_map
from insitu_tem.analysis.eels.zlp import AlignedSpectra, EnergyCalibration, ZlpFit, align_zlp, calibrate_two_features, fit_zlp, shift_spectra

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
