"""EDS spectrum images (Bruker .bcf, Velox .emd, HyperSpy .hspy) with the image acquired beside
them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.outputs import remember_input
from insitu_tem.io.readers.bcf_check import check_bcf_complete
from insitu_tem.io.readers.budget import decoded_size, plan_spectrum_image

PLUGINS = {".bcf": "bruker", ".emd": "emd", ".hspy": "hspy", ".hdf5": "hspy"}


@dataclass(frozen=True)
class SpectrumImage:
    """One EDS spectrum image.

    Attributes
    ----------
    cube : ndarray or dask.array.Array
        (rows, cols, channels) counts; a dask array (read in pieces when used) for a HyperSpy
        file beyond the memory budget
        (:func:`~insitu_tem.io.readers.budget.plan_spectrum_image`).
    energies_ev : ndarray
        Channel centres, eV.
    image : ndarray or None
        The HAADF/BF image stored with it, if any.
    elements : tuple of str
        Elements named in the file's metadata.
    pixel_size : float
    units : str
        ``"nm"`` or ``"px"``.
    beam_energy_kv : float or None
    """

    cube: np.ndarray
    energies_ev: np.ndarray
    image: np.ndarray | None
    elements: tuple[str, ...]
    pixel_size: float
    units: str
    beam_energy_kv: float | None


def _is_eds_cube(signal: dict) -> bool:
    axes = signal["axes"]
    return (
        np.ndim(signal["data"]) == 3
        and not axes[-1].get("navigate", True)
        and all(a.get("navigate", False) for a in axes[:2])
        and _holds_x_rays(signal)
    )


def _holds_x_rays(signal: dict) -> bool:
    """False for a cube the file marks as EELS (Velox stores both kinds side by side)."""
    kind = str(signal.get("metadata", {}).get("Signal", {}).get("signal_type") or "").upper()
    if kind:
        return kind.startswith("EDS")
    return str(signal["axes"][-1].get("units") or "").strip().lower() == "kev"


def _energies(axis: dict) -> np.ndarray:
    factor = 1000.0 if str(axis.get("units", "keV")).strip().lower() == "kev" else 1.0
    return (
        float(axis.get("offset", 0.0))
        + float(axis.get("scale", 1.0)) * np.arange(int(axis["size"]))
    ) * factor


def _pixel(axis: dict) -> tuple[float, str]:
    factor = {"µm": 1000.0, "um": 1000.0, "nm": 1.0, "Å": 0.1}.get(str(axis.get("units") or ""))
    return (float(axis.get("scale", 1.0)) * factor, "nm") if factor else (1.0, "px")


def _chosen(signals: list[dict], index: int, cubes: list[dict]) -> dict:
    """Signal ``index`` of the file when it is an EDS spectrum image; DataError naming the
    spectrum images otherwise."""
    listed = ", ".join(str(i) for i, s in enumerate(signals) if any(s is c for c in cubes))
    others = f"the EDS spectrum images are signal {listed}" if listed else "it holds none"
    if not 0 <= index < len(signals):
        raise DataError(f"has no signal {index} (it holds {len(signals)}); {others}")
    if not any(signals[index] is c for c in cubes):
        title = signals[index].get("metadata", {}).get("General", {}).get("title", "")
        raise DataError(f"signal {index} ({title}) is not an EDS spectrum image; {others}")
    return signals[index]


def read_spectrum_image(path: str | Path, *, signal: int | None = None) -> SpectrumImage:
    """Read the first EDS spectrum image of a file (or its signal ``signal``) and the first 2-D
    image beside it.

    Parameters
    ----------
    path : str or Path
        A Bruker .bcf, Velox .emd or HyperSpy .hspy file.
    signal : int, keyword-only
        Index of the spectrum image among the file's signals, in the order ``insitu-tem info``
        lists them (``--signal N``); None: the first EDS spectrum image.

    Raises
    ------
    DataError
        Unsupported, unreadable, without a spectrum image, when ``signal`` is out of range or
        not an EDS spectrum image, or when a Bruker or Velox spectrum image decodes beyond the
        memory budget (told from the header before any decoding; a HyperSpy file is then read
        lazily).
    """
    path = Path(path)
    if path.is_dir():
        raise DataError("is a folder; give the spectrum image file itself")
    if not path.is_file():
        raise DataError("no such file; check the path")
    plugin = PLUGINS.get(path.suffix.lower())
    if plugin is None:
        raise DataError(
            f"unsupported EDS file {path.suffix!r}; open a Bruker .bcf, Velox .emd or HyperSpy "
            ".hspy"
        )
    if path.stat().st_size == 0:
        raise DataError("is empty (0 bytes); the transfer may have failed — copy the file again")
    remember_input(path)
    if plugin == "bruker":
        check_bcf_complete(path)
    try:
        size = decoded_size(path)
    except (OSError, RuntimeError) as error:
        raise DataError(
            f"cannot be read ({type(error).__name__}: {error}); it may be truncated or "
            "damaged — re-export or copy it again"
        ) from error
    lazy = plan_spectrum_image(size, disk_bytes=path.stat().st_size, in_pieces=plugin == "hspy")
    try:
        signals = import_module(f"rsciio.{plugin}").file_reader(str(path), lazy=lazy)
    except ImportError:
        raise
    except Exception as error:  # noqa: BLE001 - readers raise anything on corrupt files
        raise DataError(
            f"cannot be read ({type(error).__name__}); re-export or copy it again"
        ) from error
    cubes = [s for s in signals if _is_eds_cube(s)]
    if signal is not None:
        cubes = [_chosen(signals, signal, cubes)]
    if not cubes:
        raise DataError(
            "holds no EDS spectrum image; open a file with a spectrum image (e.g. Bruker .bcf)"
        )
    cube = cubes[0]
    scan_shape = np.shape(cube["data"])[:2]
    images = sorted(
        (s for s in signals if np.ndim(s["data"]) == 2),
        key=lambda s: np.shape(s["data"]) != scan_shape,
    )
    metadata = cube.get("metadata", {})
    elements = tuple(metadata.get("Sample", {}).get("elements", ()) or ())
    beam = metadata.get("Acquisition_instrument", {}).get("TEM", {}).get("beam_energy")
    return SpectrumImage(
        cube["data"] if lazy else np.asarray(cube["data"]),
        _energies(cube["axes"][-1]),
        np.asarray(images[0]["data"], np.float32) if images else None,
        elements,
        *_pixel(cube["axes"][1]),
        float(beam) if beam else None,
    )
