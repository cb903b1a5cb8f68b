"""Experiment (issue 12, session 8): can a CTF-aware spot model undo the shift the CTF gives the
FFT spots of a small crystal imaged at large defocus and Cs?

Not a validation family (no ``run``) and not used by ``insitu_tem``: it reproduces the numbers
of docs/fft.md, "Session 8". Run ``python -m validation._hrtem_ctf_model --mask disk`` (or
``--mask roi``) from the repository root with ``src`` on the path.

Model. In the linear-imaging limit the image component near a reflection g is the crystal's
g-fringe seen through both sidebands of the CTF: with the crystal outline m(r) (1 inside, 0
outside), the windowed spectrum near g is

    F(k) ≈ a T₋(k) + b T₊(k),   T±(k) = DTFT{ w(r) · IFFT[ FFT(m(r) e^{2πi g·r}) e^{±iχ(q)} ] }(k),

χ(q) = π λ C10 q² + ½ π C30 λ³ q⁴ (abTEM's sign: C10 = −defocus), w the Hann window, a and b
complex (linear least squares). The reflection's position is the g that minimises the residual
over a 9 × 9 grid of complex DTFT values within ±2 FFT px of the measured spot. This is an
*oracle* test: C10, C30 and the outline come from the corpus truth (``--mask disk``) or the
outline is taken as the whole ROI (``--mask roi``, what a method that does not know it would
assume). Spots whose relative residual is above ``--gate`` are dropped (or kept at their
current position with ``--keep``), then the lattice is refitted as
:func:`insitu_tem.analysis.hrtem.lattice_report.lattice_spots` does.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import optimize

WAVELENGTH_A = 0.019687
HALF_PX = 2.0
STEP_PX = 0.5
PAD = 3
STRONGEST = 15


def _dtft(x: np.ndarray, points: np.ndarray) -> np.ndarray:
    n_rows, n_cols = x.shape
    e_row = np.exp(-2j * np.pi * np.outer(points[:, 0], np.arange(n_rows)) / n_rows)
    e_col = np.exp(-2j * np.pi * np.outer(points[:, 1], np.arange(n_cols)) / n_cols)
    return np.einsum("pr,rc,pc->p", e_row, x, e_col)


class SidebandModel:
    """T₋, T₊ of the module docstring for one square ROI (side ``n`` px, ``pixel_A``)."""

    def __init__(self, n: int, pixel_A: float, c10_A: float, c30_A: float, mask: np.ndarray):  # noqa: N803
        size = PAD * n
        q = np.fft.fftfreq(size, d=pixel_A)
        q2 = q[:, None] ** 2 + q[None, :] ** 2
        chi = np.pi * WAVELENGTH_A * c10_A * q2 + 0.5 * np.pi * c30_A * WAVELENGTH_A**3 * q2**2
        self.phases = (np.exp(-1j * chi), np.exp(1j * chi))
        self.n, self.start = n, (size - n) // 2
        self.mask = np.zeros((size, size))
        self.mask[self.start : self.start + n, self.start : self.start + n] = mask
        self.r = np.arange(size) - self.start
        hann = np.hanning(n + 2)[1:-1]
        self.window = np.outer(hann, hann)

    def basis(self, g_px: np.ndarray, points: np.ndarray) -> np.ndarray:
        """(P, 2) values of T₋, T₊ at ``points`` (FFT px from the centre) for a reflection at
        ``g_px``."""
        fringe = np.exp(
            2j * np.pi * (g_px[0] * self.r[:, None] + g_px[1] * self.r[None, :]) / self.n
        )
        spectrum = np.fft.fft2(self.mask * fringe)
        s, n = self.start, self.n
        return np.stack(
            [
                _dtft(np.fft.ifft2(spectrum * phase)[s : s + n, s : s + n] * self.window, points)
                for phase in self.phases
            ],
            axis=1,
        )


def fit_spot(
    model: SidebandModel, windowed: np.ndarray, start: np.ndarray, *, background: bool = False
) -> tuple[np.ndarray, float]:
    """Model position (FFT px from the centre) of the spot measured at ``start`` and the
    relative residual (0: perfect, 1: the model explains nothing); with ``background`` a complex
    plane over the fitted grid (the tails of the spectrum's centre and of other spots) is
    fitted with the two sidebands."""
    offsets = np.arange(-HALF_PX, HALF_PX + 1e-9, STEP_PX)
    grid = np.array([(a, b) for a in offsets for b in offsets])
    points = start + grid
    observed = _dtft(windowed, points)
    plane = np.column_stack([np.ones(len(grid)), grid])

    def residual(g: np.ndarray) -> np.ndarray:
        basis = model.basis(g, points)
        if background:
            basis = np.column_stack([basis, plane])
        coefficients = np.linalg.lstsq(basis, observed, rcond=None)[0]
        r = observed - basis @ coefficients
        return np.concatenate([r.real, r.imag])

    solution = optimize.least_squares(residual, start, diff_step=1e-3, x_scale=0.1)
    return solution.x, float(np.sum(solution.fun**2) / np.sum(np.abs(observed) ** 2))


def _outline(truth: dict, n: int, kind: str) -> np.ndarray:
    if kind == "roi":
        return np.ones((n, n))
    rows, cols = np.indices((n, n))
    radius = truth["case"]["diameter_nm"] * 10 / truth["pixel_A"] / 2
    return (np.hypot(rows - (n - 1) / 2, cols - (n - 1) / 2) <= radius).astype(float)


def refit(image: np.ndarray, truth: dict, *, mask: str, gate: float, keep: bool, background: bool):
    """(errors before, errors after (%), spots the model fitted, spots tried) for one case."""
    from insitu_tem.analysis.hrtem.fft_lattice import spot_from_position
    from insitu_tem.analysis.hrtem.lattice_fit import fit_lattice
    from insitu_tem.analysis.hrtem.lattice_report import INDEX_TOLERANCE, measure_lattice
    from validation.hrtem import _spacing_errors

    case, pixel_A = truth["case"], truth["pixel_A"]
    measured = measure_lattice(image, pixel_nm=pixel_A / 10, match=False)
    spectrum = measured.spectrum
    model = SidebandModel(
        image.shape[0],
        pixel_A,
        -case["defocus_A"],
        case["cs_A"],
        _outline(truth, image.shape[0], mask),
    )
    per_px = np.sqrt(np.prod(spectrum.k_step_per_nm))
    spots, fitted = [], 0
    for spot in measured.spots[:STRONGEST]:
        start = np.array([spot.row_px, spot.col_px])
        g, relative = fit_spot(model, spectrum.windowed, start, background=background)
        if relative < gate and np.hypot(*(g - start)) < 1.5:
            fitted += 1
            spots.append(
                spot_from_position(
                    spectrum,
                    *g,
                    snr=spot.snr,
                    intensity=spot.intensity,
                    sigma_px=spot.sigma_g_per_nm / per_px,
                )
            )
        elif keep:
            spots.append(spot)
    fit = fit_lattice(
        tuple(spots), tolerance=INDEX_TOLERANCE, tolerance_per_nm=min(spectrum.k_step_per_nm)
    )
    after = _spacing_errors(type("Refit", (), {"fit": fit}), truth) if fit.ok else []
    before = _spacing_errors(measured, truth) if measured.fit.ok else []
    return (
        [e for e, _ in before],
        [e for e, _ in after],
        fitted,
        min(STRONGEST, len(measured.spots)),
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mask", choices=("disk", "roi"), default="disk")
    parser.add_argument("--gate", type=float, default=0.1)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--background", action="store_true")
    args = parser.parse_args(argv)
    from validation.hrtem import corpus

    for image, truth in corpus(fast=False)[0]:
        case = truth["case"]
        if case["phase"] == "amorphous" or case["cs_A"] < 1e6 or case["diameter_nm"] >= 10:
            continue
        before, after, fitted, tried = refit(
            image, truth, mask=args.mask, gate=args.gate, keep=args.keep, background=args.background
        )
        print(
            f"{'held out' if truth['held_out'] else 'tuned':8s} {case['phase']:6s} "
            f"{case['diameter_nm']:4.1f} nm Δf {case['defocus_A']:5.0f} Å  model fits {fitted}/{tried}  "
            f"before {' '.join(f'{e:+.3f}' for e in before)}  after {' '.join(f'{e:+.3f}' for e in after)} %",
            flush=True,
        )


if __name__ == "__main__":
    main()
