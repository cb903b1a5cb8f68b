"""EDS composition per segmentation label, fitted on the projections.

With the labels fixed, each element's aligned map series ``b`` is modelled as
``Σ_l c_l · P(1_l)``: ``P`` the forward projector of the reconstruction (:mod:`.projector`),
``1_l`` the indicator of label ``l``, ``c_l ≥ 0`` one density per label (line counts per voxel
of path). Per element that is a non-negative least-squares problem in as many unknowns as there
are labels, solved on the data the microscope recorded — where an iterative reconstruction
spreads a hollow shell's element into the core it surrounds, so averaging reconstructed voxels
over a label cannot give the label's composition.

* Weights: a first unweighted fit gives the model ``λ``; the noise variance is modelled as
  ``α + β λ`` (Poisson counts after background subtraction and alignment resampling), ``α``, ``β``
  fitted to the squared residuals; the second fit weights each ray by ``1/(α + β λ)``.
* Counting 1σ: delete-one-slab jackknife [1]_ over slabs of rows along the tilt axis (slices
  are independent problems; slabs ``slab_px`` thick keep the resampling's row correlation inside
  a slab), the whole fit and Cliff–Lorimer redone for each slab left out. It carries the
  actual noise (whatever its model) and the label's variation along the axis.
* Interfaces: with the series the labels were segmented from (``reference``, the HAADF), every
  interface between touching labels is moved by the fraction of a voxel layer that fits that
  series best, separately where it faces along z and across (:mod:`.interfaces`; a threshold on
  a blurred volume misplaces it by a few tenths of a voxel, and the missing wedge stretches the
  reconstruction along z), and the element fits use the moved interfaces. The jackknife refits
  them.
* Boundary 1σ: with a reference, each interface contributes two terms: the change of the wt %
  between its two parts moved each by its own fitted ``δ`` and moved together by one ``δ`` fitted
  to both (two models of the interface; the first is used), and half the change between its
  fitted place and where the labels put it (two estimates of its place, as the half of the
  whole-layer move below); without a reference, the interface is moved by one whole voxel layer
  each way (the voxels of one label touching the other given to it, 6-connected) and half the
  change is its term. Where a label's per-slice hull holds voxels of the label enclosing it (a
  core's void opened into the shell leaves core material labelled shell, :mod:`.dents`), the
  fit is redone with those voxels given to the enclosed label (columns updated around the
  moved voxels, :mod:`.dent_columns`; weights, interface offsets and densities refitted) and
  half the change of the wt % is one more term (two models of the same voxels). Terms add in
  quadrature with the counting 1σ.

Cliff–Lorimer wt % per label follow from the densities and the k-factors
(:func:`insitu_tem.analysis.eds.maps.cliff_lorimer`).

References
----------
.. [1] B. Efron and C. Stein, Ann. Stat. 9, 586 (1981); B. Efron, *The Jackknife, the Bootstrap
   and Other Resampling Plans*, SIAM (1982), ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from insitu_tem.analysis.eds.maps import cliff_lorimer
from insitu_tem.analysis.tomo.dent_columns import moved_columns
from insitu_tem.analysis.tomo.dents import dented_labels
from insitu_tem.analysis.tomo.interfaces import fit_offsets, interfaces, transform
from insitu_tem.analysis.tomo.projector import projector
from insitu_tem.analysis.tomo.voids import NOISE_LAG_PX

_MIN_SLABS = 4


@dataclass(frozen=True)
class LabelComposition:
    """Composition of every label fitted on the projections (module docstring).

    Attributes
    ----------
    labels : tuple of int
        The labels, in the order of the rows of ``density``.
    elements : tuple of str
    density : ndarray
        (n_labels, n_elements) fitted line counts per voxel of path, the projections' units.
    density_sigma : ndarray
        Counting 1σ of ``density`` (jackknife), same units.
    weight_percent, weight_percent_sigma : dict
        ``{label: {element: wt %}}`` and its 1σ (counting and boundary in quadrature), wt %;
        every label but the vacuum's.
    boundary_sigma : dict
        The boundary part of ``weight_percent_sigma``, wt %.
    interface_offsets : dict
        ``{(label_a, label_b, facing): δ}``: how far the part of the interface facing ``"z"`` or
        ``"across"`` was moved into ``b`` (negative: into ``a``), voxel layers
        (:mod:`.interfaces`; 0 without a reference).
    ok : bool
    reason : str
    """

    labels: tuple
    elements: tuple
    density: np.ndarray
    density_sigma: np.ndarray
    weight_percent: dict
    weight_percent_sigma: dict
    boundary_sigma: dict
    interface_offsets: dict
    ok: bool = True
    reason: str = ""


def _columns(proj, mask: np.ndarray) -> np.ndarray:
    """P(mask) as (n_tilts · n_det, ny) sinograms, the layout of the reconstruction. Only the
    (z, x) voxels that hold the mask in some slice are projected: the others would add exact
    zeros, so the sums are the whole projector's, in the same order."""
    held = np.flatnonzero(mask.any(axis=1))
    slices = mask[held // mask.shape[2], :, held % mask.shape[2]].astype(np.float32)
    return np.asarray(proj.transpose[held].T @ slices, dtype=np.float32)


def _sinograms(stack: np.ndarray) -> np.ndarray:
    n, ny, nx = stack.shape
    return np.ascontiguousarray(np.asarray(stack, np.float32).transpose(0, 2, 1)).reshape(
        n * nx, ny
    )


def _normal(design: np.ndarray, data: np.ndarray, weights: np.ndarray):
    """Per-row normal equations: (ny, L, L) and (ny, L)."""
    weighted = design * weights[None]
    return np.einsum("lir,mir->rlm", weighted, design), np.einsum("lir,ir->rl", weighted, data)


def _nnls(matrix: np.ndarray, vector: np.ndarray, free=None, *, bounded: bool = True):
    """argmin ``cᵀMc − 2vᵀc`` over ``c ≥ 0`` (``bounded``) or all ``c``; labels without data or
    not ``free`` stay 0."""
    used = np.diag(matrix) > 0
    if free is not None:
        used &= free
    solution = np.zeros(vector.size)
    if not used.any():
        return solution
    sub = matrix[np.ix_(used, used)]
    scale = np.sqrt(np.diag(sub))
    scaled = sub / scale[:, None] / scale[None, :]
    if not bounded:
        solution[used] = np.linalg.lstsq(scaled, vector[used] / scale, rcond=None)[0] / scale
        return solution
    upper = np.linalg.cholesky(scaled + 1e-12 * np.eye(scale.size)).T
    rhs = np.linalg.solve(upper.T, vector[used] / scale)
    solution[used] = nnls(upper, rhs, maxiter=50 * scale.size)[0] / scale
    return solution


def _weights(design: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``1/(α + β λ)`` from an unweighted first fit (module docstring)."""
    matrix, vector = _normal(design, data, np.ones(data.shape, np.float32))
    model = np.einsum("l,lir->ir", _nnls(matrix.sum(0), vector.sum(0)), design)
    squared = (data - model).astype(np.float64) ** 2
    basis = np.stack([np.ones(model.size), model.ravel().astype(np.float64)], axis=1)
    alpha, beta = np.clip(np.linalg.lstsq(basis, squared.ravel(), rcond=None)[0], 0, None)
    floor = 1e-3 * float(squared.mean())
    if floor <= 0:
        return np.ones(data.shape, np.float32)
    return (1.0 / (max(alpha, floor) + beta * model)).astype(np.float32)


def _slabs(ny: int, slab_px: int) -> list[slice]:
    return [slice(start, min(start + slab_px, ny)) for start in range(0, ny, slab_px)]


def _percent(density: np.ndarray, k: np.ndarray, elements) -> np.ndarray:
    """(n_labels, n_elements) wt % from densities."""
    return np.asarray(cliff_lorimer(density.T, elements, k).weight_percent, float).T


@dataclass(frozen=True)
class _Problem:
    """Per-row normal equations over the columns [labels, interface layers] of the reference
    (None without one) and of every element; ``free``: the labels whose element densities are
    fitted (the vacuum's stays 0)."""

    reference: tuple | None
    elements: list
    n_labels: int
    pairs: tuple
    free: np.ndarray

    def solve(self, keep: np.ndarray, delta: np.ndarray | None = None, *, bounded=True):
        """Interface offsets and (L, E) densities from the rows ``keep`` (offsets fitted on the
        reference unless given; densities ≥ 0 when ``bounded``)."""
        if delta is None:
            delta = np.zeros(len(self.pairs))
            if self.reference is not None:
                gram, vector = (x[keep].sum(0) for x in self.reference)
                delta = fit_offsets(gram, vector, self.n_labels, self.pairs, _nnls)
        t = transform(delta, self.n_labels, self.pairs)
        densities = [
            _nnls(
                t.T @ gram[keep].sum(0) @ t,
                t.T @ vector[keep].sum(0),
                self.free,
                bounded=bounded,
            )
            for gram, vector in self.elements
        ]
        return delta, np.array(densities).T


def _problem(design, layers, pairs, data: list, reference, free) -> _Problem:
    columns = np.concatenate([design, layers]) if len(pairs) else design
    normal = [_normal(columns, d, _weights(design, d)) for d in data]
    return _Problem(
        None if reference is None else _normal(columns, reference, _weights(design, reference)),
        normal,
        design.shape[0],
        pairs,
        free,
    )


def _jackknife_sigma(replicates: np.ndarray) -> np.ndarray:
    g = replicates.shape[0]
    if g < _MIN_SLABS:
        return np.full(replicates.shape[1:], np.nan)
    spread = replicates - np.nanmean(replicates, axis=0)
    return np.sqrt((g - 1) / g * np.nansum(spread**2, axis=0))


def _boundary_sigma(problem: _Problem, everything, delta, k, elements) -> np.ndarray:
    """(L, E) wt % boundary 1σ, every interface's terms in quadrature (module docstring)."""
    interfaces_of = sorted(set(problem.pairs))
    tie = np.array([interfaces_of.index(pair) for pair in problem.pairs])
    terms = []
    if problem.reference is None:
        for q in range(len(interfaces_of)):
            terms.append((np.where(tie == q, 1.0, 0.0), np.where(tie == q, -1.0, 0.0), 2))
    elif len(tie):
        gram, vector = (x[everything].sum(0) for x in problem.reference)
        whole = fit_offsets(gram, vector, problem.n_labels, problem.pairs, _nnls, tie=tie)
        for q in range(len(interfaces_of)):
            terms.append((delta, np.where(tie == q, whole, delta), 1))
            terms.append((delta, np.where(tie == q, 0.0, delta), 2))
    variance = np.zeros((problem.n_labels, len(elements)))
    for plus, minus, divisor in terms:
        ends = [_percent(problem.solve(everything, e)[1], k, elements) for e in (plus, minus)]
        variance += np.nan_to_num(((ends[0] - ends[1]) / divisor) ** 2)
    return np.sqrt(variance)


def _check(labels: np.ndarray, projections: dict, n_tilts: int) -> str:
    expected = (n_tilts, labels.shape[1], labels.shape[2])
    for element, stack in projections.items():
        if np.shape(stack) != expected:
            return (
                f"the {element} projections have shape {np.shape(stack)}, the labels and tilts "
                f"need {expected} (n_tilts, y, x): give the aligned series the volume was "
                "reconstructed from"
            )
    return "" if projections else "no element projections given"


def composition_from_projections(
    labels: np.ndarray,
    projections: dict[str, np.ndarray],
    tilts_deg,
    *,
    reference: np.ndarray | None = None,
    axis_offset_px: float = 0.0,
    kfactors: dict[str, float] | None = None,
    vacuum_label: int | None = 0,
    slab_px: int = NOISE_LAG_PX,
) -> LabelComposition:
    """Cliff–Lorimer wt % of every label fitted on the element projections (module docstring).

    Parameters
    ----------
    labels : ndarray
        (z, y, x) integer labels on the reconstruction's grid (y along the tilt axis).
    projections : dict
        Element → aligned (n_tilts, y, x) line-intensity series, the one the volume was
        reconstructed from (same binning), counts.
    tilts_deg : array_like
        Tilt angles, degrees.
    reference : ndarray, optional
        The aligned (n_tilts, y, x) series the labels were segmented from: the label interfaces
        are placed on it (:mod:`.interfaces`); without it they stay where the labels put them
        and a whole-voxel boundary term enters the 1σ.
    axis_offset_px : float
        Tilt-axis column minus the centre column in that frame, px (as given to
        :func:`.reconstruct.reconstruct`).
    kfactors : dict, optional
        Element → Cliff–Lorimer k-factor (1 when absent).
    vacuum_label : int or None
        The label of vacuum and voids (0 for :mod:`.segment`): no element there (net line
        intensities are 0 in vacuum); its density is fitted only on the reference.
    slab_px : int
        Rows per jackknife slab, px.

    Returns
    -------
    LabelComposition
        ``ok=False`` with the reason when the shapes disagree or nothing is measured.
    """
    tilts = np.asarray(tilts_deg, float).ravel()
    elements = tuple(projections)
    present = tuple(int(v) for v in np.unique(labels))
    reason = _check(
        labels,
        {**projections, **({} if reference is None else {"reference": reference})},
        tilts.size,
    )
    if reason:
        return _failed(present, vacuum_label, elements, reason)
    nz, ny, nx = labels.shape
    proj = projector(tilts, nx, nz=nz, axis_offset_px=axis_offset_px)
    data = (
        [_sinograms(projections[e]) for e in elements],
        None if reference is None else _sinograms(reference),
        np.array([v != vacuum_label for v in present]),
    )
    design = np.stack([_columns(proj, labels == v) for v in present])
    found = interfaces(labels, present, lambda mask: _columns(proj, mask))
    problem = _problem(design, found.layers, found.pairs, *data)
    everything = np.ones(ny, bool)
    delta, density = problem.solve(everything)
    replicates = np.array(
        [
            problem.solve(everything & ~_mask(ny, s), bounded=False)[1]
            for s in _slabs(ny, max(int(slab_px), 1))
        ]
    )
    k = np.array([float((kfactors or {}).get(e, 1.0)) for e in elements])
    percent = _percent(density, k, elements)
    density_sigma = _jackknife_sigma(replicates)
    counting = np.asarray(
        cliff_lorimer(
            density.T, elements, k, intensity_variance=density_sigma.T**2
        ).weight_percent_sigma,
        float,
    ).T
    boundary = _boundary_sigma(problem, everything, delta, k, elements)
    dented = dented_labels(labels, present, vacuum_label)
    if dented is not None:
        design, moved = moved_columns(labels, dented, present, design, found, proj.transpose)
        refit = _problem(design, moved.layers, moved.pairs, *data).solve(everything)[1]
        other = _percent(refit, k, elements)
        boundary = np.hypot(boundary, np.nan_to_num((other - percent) / 2))
    sigma = np.hypot(counting, boundary)
    ok = bool(np.isfinite(percent).any())
    return LabelComposition(
        present,
        elements,
        density,
        density_sigma,
        _per_label(present, vacuum_label, elements, percent),
        _per_label(present, vacuum_label, elements, sigma),
        _per_label(present, vacuum_label, elements, boundary),
        {
            (present[a], present[b], side): float(d)
            for (a, b), side, d in zip(found.pairs, found.facing, delta)
        },
        ok,
        "" if ok else "no positive line intensity in any label",
    )


def _mask(ny: int, rows: slice) -> np.ndarray:
    mask = np.zeros(ny, bool)
    mask[rows] = True
    return mask


def _per_label(present, vacuum_label, elements, values: np.ndarray) -> dict:
    return {
        label: {e: float(v) for e, v in zip(elements, row)}
        for label, row in zip(present, values)
        if label != vacuum_label
    }


def _failed(present, vacuum_label, elements, reason: str) -> LabelComposition:
    empty = np.full((len(present), len(elements)), np.nan)
    nan = _per_label(present, vacuum_label, elements, empty)
    return LabelComposition(present, elements, empty, empty, nan, nan, nan, {}, False, reason)
