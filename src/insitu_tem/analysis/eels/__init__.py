"""EELS analyses, vectorised over every spectrum of a line scan or spectrum image.

Qt-free (numpy/scipy). Spectra are arrays (..., n_channels) with an energy
:class:`~insitu_tem.core.model.Axis` in eV passed explicitly; results are
frozen dataclasses whose arrays have the navigation shape. Names are imported
from their module on first use, so a command that needs the ZLP fit does not
load the whole family.
"""

from importlib import import_module

_SOURCES = {
    "background": (
        "MODELS",
        "BackgroundFit",
        "auto_background_window",
        "fit_background",
        "subtract_background",
    ),
    "deconvolution_noise": ("DeconvolutionNoise", "deconvolution_noise"),
    "edges_table": ("EDGES", "Edge", "edges_in_range", "find_edge"),
    "mlls": ("MllsFit", "end_member_references", "mlls_fit"),
    "onsets": ("EdgeOnset", "edge_onset"),
    "plasmon_energy": ("PlasmonEnergy", "plasmon_energy"),
    "pipeline": (
        "EdgeAnalysis",
        "LowLoss",
        "analyse_edge",
        "analyse_low_loss",
        "default_signal_window",
    ),
    "shifts": ("ChemicalShift", "chemical_shift", "default_fit_window"),
    "thickness": (
        "Deconvolved",
        "LogRatioTerms",
        "Thickness",
        "fourier_log",
        "log_ratio_terms",
        "log_ratio_thickness",
    ),
    "windows": ("PlasmonPeak", "WindowIntegral", "integrate_window", "plasmon_peak", "ratio_map"),
    "zlp": (
        "AlignedSpectra",
        "EnergyCalibration",
        "ZlpFit",
        "align_zlp",
        "calibrate_two_features",
        "fit_zlp",
        "shift_spectra",
    ),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}
__all__ = [name for names in _SOURCES.values() for name in names]


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
