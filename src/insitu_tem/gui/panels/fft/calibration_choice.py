"""What the FFT panel says of the calibration and which correction it offers: the check of a
picked spot against a reference reflection and the fit of the pixel size on all indexed
reflections, chosen between without Qt."""

from __future__ import annotations

from insitu_tem.analysis.hrtem.lattice_calibration import LatticeCalibration
from insitu_tem.analysis.hrtem.lattice_report import CalibrationCheck


def calibration_lines(
    shown,
    *,
    check: CalibrationCheck | None,
    fit: LatticeCalibration | None,
    unresolved: bool,
) -> list[str]:
    """The message lines under the lattice of measurement ``shown``.

    Its warnings, less the calibration disagreement the ``check`` words itself and the lattice
    fit's reason (on the lattice line already); none of them when ``unresolved`` (the sampling
    cannot hold the lattice, which the panel says instead) and the fit failed; then the check's
    message when it disagrees and the fit on all reflections.
    """
    lattice, warnings = shown.fit, shown.value["warnings"]
    if unresolved and not lattice.ok:
        warnings = []
    said = "" if lattice.ok else lattice.reason
    lines = [w for w in warnings if "calibration disagrees" not in w and w != said]
    if check is not None and not check.agrees:
        lines.append(check.message)
    if fit is not None:
        lines.append(fit.message)
    return lines


def correction(
    *, fit: LatticeCalibration | None, check: CalibrationCheck | None
) -> tuple[float, str] | None:
    """(factor, what it comes from) by which to multiply the pixel size.

    The fit on all reflections when its factor differs from 1 by more than 3σ (and 0.1 %),
    else the picked spot's check when it disagrees with the reference; None when nothing needs
    fixing.
    """
    if fit is not None and fit.ok and abs(fit.factor - 1) > max(3 * fit.sigma_factor, 1e-3):
        return fit.factor, f"{len(fit.hkl)} reflections of {fit.reference}"
    if check is not None and not check.agrees:
        return check.factor, check.reference
    return None
