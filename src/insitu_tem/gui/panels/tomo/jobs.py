"""Work the Tomography panel runs on the task runner (Qt-free): every channel reconstructed with
the reference channel's alignment (optionally binned), and a saved project's series and volumes
read back (segmentation and measurements: :mod:`insitu_tem.workflows.tomo_results`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


from insitu_tem.analysis.tomo.alignment_result import Alignment
from insitu_tem.core.model import DataError
from insitu_tem.io.readers.tilt_checks import named, same_tilts
from insitu_tem.io.readers.tilt_series import SPECTRUM_MARGIN_EV, TiltSeries, load_tilt_series
from insitu_tem.io.tomo_files import ProjectVolumes, read_project_volumes
from insitu_tem.workflows.tomo_reconstruct import WORKING_COPIES, reconstruct_channel


@dataclass(frozen=True)
class Volumes:
    """Reconstructed channels: ``{channel: (z, y, x)}``, the first the reference; ``ok`` False when
    cancelled (``reason``)."""

    volumes: dict
    method: str
    iterations: int
    reprojection_errors: dict
    binning: int = 1
    ok: bool = True
    reason: str = ""


def load_series(
    path, elements: tuple[str, ...] = (), *, progress=None, fallback_tilts=None
) -> TiltSeries:
    """Read a tilt series; with ``elements``, per-tilt spectrum images also give one
    background-subtracted line map per element (the main line at 200 kV); spectra are decoded
    only up to :data:`SPECTRUM_MARGIN_EV` above the highest background window. A stack that
    reconstruction could not hold within the memory budget is refused (DataError) before its
    data is read, as by the ``tomo`` command; ``fallback_tilts``: the angles of a stack that gives
    none (:func:`~insitu_tem.io.readers.tilt_series.load_tilt_series`). DataError naming the
    file when it cannot be used."""
    maps, limit = None, None
    if elements:
        from insitu_tem.analysis.eds.lines import main_line, xray_line
        from insitu_tem.analysis.eds.maps import line_maps

        lines = tuple(xray_line(main_line(e, beam_energy_kv=200.0)) for e in elements)
        limit = max(line.background_windows[1][1] for line in lines) + SPECTRUM_MARGIN_EV

        def maps(cube, energies):
            return {line.name: m for line, m in zip(lines, line_maps(cube, energies, lines).maps)}

    try:
        return load_tilt_series(
            path,
            spectrum_maps=maps,
            spectrum_limit_ev=limit,
            progress=progress,
            copies=WORKING_COPIES,
            fallback_tilts=fallback_tilts,
        )
    except DataError as error:
        raise named(error, Path(path).name) from error


def series_summary(series: TiltSeries, elements: tuple[str, ...]) -> str:
    """One line on an opened series and the next step (spectrum images opened without EDS
    elements: how to get the element maps)."""
    tilts = series.tilts_deg
    text = (
        f"{Path(series.source).name}: {tilts.size} tilts {tilts[0]:g}…{tilts[-1]:g}°, "
        f"{series.reference.shape[2]}×{series.reference.shape[1]} px, "
        f"{series.pixel_size:.4g} {series.units}/px; channels {', '.join(series.channels)}"
    )
    spectra = any(Path(f).suffix.lower() in (".bcf", ".emd") for f in series.files)
    if spectra and not elements:
        return text + " — for element maps type the EDS elements (e.g. Si,O,Fe) and open again"
    return text + " — next: Align"


def with_channel(series: TiltSeries, path) -> TiltSeries:
    """``series`` with the channels of the tilt series in ``path`` added (names made unique):
    read with its own tilt angles, else ``series``' (in file order); DataError naming ``path``
    when it cannot be read or its tilts are not ``series``'."""
    name = Path(path).name
    try:
        other = load_series(path, fallback_tilts=series.file_tilts_deg)
        same_tilts(other.tilts_deg, series.tilts_deg, name)
    except DataError as error:
        raise named(error, name) from error
    channels = dict(series.channels)
    for channel, stack in other.channels.items():
        channels[channel if channel not in channels else f"{channel} ({len(channels)})"] = stack
    return replace(series, channels=channels)


def reconstruct_channels(
    series: TiltSeries,
    alignment: Alignment | None,
    *,
    method: str,
    iterations: int,
    channels: tuple[str, ...],
    control,
    binning: int = 1,
) -> Volumes:
    """Reconstruct ``channels`` (:func:`~insitu_tem.workflows.tomo_reconstruct.reconstruct_channel`,
    as the ``tomo`` command), progress split evenly."""
    volumes, errors = {}, {}
    for k, name in enumerate(channels):

        def report(fraction, message, k=k):
            control.progress((k + fraction) / len(channels), f"{name}: {message}")

        result = reconstruct_channel(
            series.channels[name],
            series.tilts_deg,
            alignment,
            reference_shape=series.reference.shape[1:],
            method=method,
            iterations=iterations,
            binning=binning,
            should_stop=control.should_stop,
            progress=report,
        )
        if not result.ok:
            return Volumes(volumes, method, iterations, errors, binning, False, result.reason)
        volumes[name], errors[name] = result.volume, result.reprojection_error
    return Volumes(volumes, method, iterations, errors, binning)


@dataclass(frozen=True)
class Reopened:
    """A saved project's tomography: the series (None when its files are gone) and the volumes."""

    series: TiltSeries | None
    saved: ProjectVolumes | None
    missing: str = ""


def reopen(project_path, parameters: dict, files: dict | None) -> Reopened:
    """Re-read the series recorded in ``parameters`` (source, EDS elements, added channels) and
    the volumes and labels saved beside the project (``files``, :mod:`insitu_tem.io.tomo_files`)."""
    series, missing = None, ""
    source = parameters.get("source")
    if source and Path(source).exists():
        series = load_series(source, tuple(parameters.get("elements", ())))
        for other in parameters.get("also", ()):
            series = with_channel(series, other)
    elif source:
        missing = f"the tilt series {source} is gone (moved?); open it again to align"
    saved = read_project_volumes(Path(project_path).parent, files) if files else None
    return Reopened(series, saved, missing)
