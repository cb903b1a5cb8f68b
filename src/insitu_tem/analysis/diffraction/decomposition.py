"""PCA and non-negative matrix factorisation of a series of profiles (phase fractions).

PCA (singular value decomposition of the mean-centred series) tells how many
independent components the series holds (its scree plot), but its components
have negative lobes and mix phases, so they are not spectra of anything.
NMF writes every profile as a non-negative sum of non-negative components,
X ≈ W H (X: n profiles × m bins, W: n × k weights, H: k × m components), so
the components look like diffraction profiles and the weights are amounts of
each phase. Holding some components fixed to measured end members (by default
the first and last pattern of a scan across a reaction front) pins the
factorisation to known phases and leaves only the unknown ones free.
Updates are the multiplicative rules of Lee & Seung (2001) for the Frobenius
norm; fixed components are simply not updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

_EPS = 1e-12


def _as_series(profiles) -> np.ndarray:
    data = np.asarray(profiles, dtype=np.float64)
    if data.ndim != 2 or min(data.shape) < 2:
        raise ValueError(f"expected (n_profiles, n_bins) with n >= 2, got shape {data.shape}")
    if not np.isfinite(data).all():
        raise ValueError(
            "profiles contain NaN or inf; crop empty bins first (e.g. profiles[:, finite_columns])"
        )
    return data


@dataclass(frozen=True)
class PcaResult:
    """Principal components of a profile series.

    Attributes
    ----------
    components : numpy.ndarray
        (k, m) orthonormal components.
    scores : numpy.ndarray
        (n, k) projection of each mean-centred profile.
    explained_variance_ratio : numpy.ndarray
        Variance fraction of every component (all of them: the scree plot).
    mean : numpy.ndarray
        (m,) mean profile removed before the decomposition.
    """

    components: np.ndarray
    scores: np.ndarray
    explained_variance_ratio: np.ndarray
    mean: np.ndarray

    def n_significant(self, *, threshold: float = 0.01) -> int:
        """Number of components explaining more than ``threshold`` of the variance each."""
        return int(np.sum(self.explained_variance_ratio > threshold))


def pca(profiles, *, n_components: int = 5) -> PcaResult:
    """PCA of (n, m) profiles by SVD.

    Parameters
    ----------
    profiles : array_like
        (n_profiles, n_bins), finite.
    n_components : int
        Components and scores kept (the scree covers all).
    """
    data = _as_series(profiles)
    mean = data.mean(axis=0)
    u, s, vt = np.linalg.svd(data - mean, full_matrices=False)
    variance = s**2
    ratio = variance / max(variance.sum(), _EPS)
    k = int(min(max(n_components, 1), len(s)))
    return PcaResult(vt[:k], u[:, :k] * s[:k], ratio, mean)


@dataclass(frozen=True)
class NmfResult:
    """Non-negative factorisation X ≈ W H.

    Attributes
    ----------
    components : numpy.ndarray
        (k, m) non-negative components: fixed ones as given, free ones scaled
        so that their largest weight along the series is 1.
    weights : numpy.ndarray
        (n, k) non-negative amount of each component in each profile: 1 is
        one pure end member (for free components: as much as where it is
        strongest).
    fixed : tuple of bool
        Which components were held fixed (end members, listed first).
    residual : numpy.ndarray
        (n, m) X − W H.
    relative_error : float
        ‖X − W H‖ / ‖X‖ (Frobenius).
    iterations : int
        Updates performed.
    """

    components: np.ndarray
    weights: np.ndarray
    fixed: tuple[bool, ...]
    residual: np.ndarray
    relative_error: float
    iterations: int

    @property
    def fractions(self) -> np.ndarray:
        """(n, k) weights normalised to sum 1 per profile (phase fractions, if each
        component is measured pure somewhere in the series)."""
        total = self.weights.sum(axis=1, keepdims=True)
        return self.weights / np.where(total > 0, total, 1.0)


def _initial(
    data: np.ndarray, fixed: np.ndarray, n_free: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = float(data.mean())
    free = rng.uniform(0.5, 1.5, (n_free, data.shape[1])) * scale
    h = np.vstack([fixed, free]) if len(fixed) else free
    w = np.clip(np.linalg.lstsq(h.T, data.T, rcond=None)[0].T, _EPS, None)
    return w, h


def nmf(
    profiles,
    *,
    n_components: int = 2,
    fixed_components=None,
    max_iter: int = 2000,
    tol: float = 1e-7,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> NmfResult:
    """Non-negative matrix factorisation with optional fixed end-member components.

    Parameters
    ----------
    profiles : array_like
        (n_profiles, n_bins), finite and non-negative (subtract nothing that
        makes them negative; clip a negative background first).
    n_components : int
        Total number of components, fixed ones included.
    fixed_components : array_like, optional
        (j, n_bins) end-member profiles held fixed (j <= n_components), e.g.
        ``profiles[[0, -1]]``.
    max_iter : int
        Most multiplicative updates.
    tol : float
        Stop when the relative error improves by less than this.
    seed : int
        Seed of the random start of the free components.
    should_stop : callable, optional
        Polled every 50 updates; stops early with the current factors.
    """
    (result,) = nmf_runs(
        profiles,
        seeds=(seed,),
        n_components=n_components,
        fixed_components=fixed_components,
        max_iter=max_iter,
        tol=tol,
        should_stop=should_stop,
    )
    return result


def nmf_runs(
    profiles,
    *,
    seeds,
    n_components: int = 2,
    fixed_components=None,
    max_iter: int = 2000,
    tol: float = 1e-7,
    should_stop: Callable[[], bool] | None = None,
) -> list[NmfResult]:
    """:func:`nmf` from the random start of each of ``seeds`` (same other parameters), the runs
    updated together as stacks of factors: the same numbers as one :func:`nmf` per seed, for a
    fraction of the array operations."""
    data = _as_series(profiles)
    if data.min() < 0:
        raise ValueError(
            "NMF needs non-negative profiles; clip or offset them (e.g. np.clip(profiles, 0, None))"
        )
    fixed = (
        np.zeros((0, data.shape[1]))
        if fixed_components is None
        else np.atleast_2d(np.asarray(fixed_components, float))
    )
    if fixed.shape[1:] != data.shape[1:] or len(fixed) > n_components or fixed.min(initial=0) < 0:
        raise ValueError(
            f"fixed_components must be (j <= {n_components}, {data.shape[1]}) non-negative "
            f"profiles, got shape {fixed.shape}"
        )
    n_fixed = len(fixed)
    starts = [_initial(data, fixed, n_components - n_fixed, seed) for seed in seeds]
    runs = _multiplicative_updates(
        data,
        np.stack([w for w, _ in starts]),
        np.stack([h for _, h in starts]),
        n_fixed,
        max_iter=max_iter,
        tol=tol,
        should_stop=should_stop,
    )
    return [_result(data, w, h, n_fixed, iteration) for w, h, iteration in runs]


def _result(data: np.ndarray, w: np.ndarray, h: np.ndarray, n_fixed: int, iteration: int):
    n_components = len(h)
    scale = np.ones(n_components)
    scale[n_fixed:] = 1.0 / np.maximum(w[:, n_fixed:].max(axis=0), _EPS)
    h, w = h / scale[:, None], w * scale[None, :]
    residual = data - w @ h
    norm = np.linalg.norm(data)
    fixed_flags = tuple([True] * n_fixed + [False] * (n_components - n_fixed))
    return NmfResult(h, w, fixed_flags, residual, float(np.linalg.norm(residual) / norm), iteration)


def _multiplicative_updates(data, w, h, n_fixed: int, *, max_iter: int, tol: float, should_stop):
    """Lee & Seung updates of the stacked W (r, n, k) and of the free rows of the stacked H
    (r, k, m), each run until its error stops improving: [(w, h, updates)] per run."""
    norm = np.linalg.norm(data)
    runs = np.arange(len(w))
    error = np.full(len(w), np.inf)
    done = [(one_w, one_h, 0) for one_w, one_h in zip(w, h)]
    for iteration in range(1, max_iter + 1):
        ht = h.transpose(0, 2, 1)
        w *= (data @ ht) / np.maximum(w @ (h @ ht), _EPS)
        if n_fixed < h.shape[1]:
            wt = w[:, :, n_fixed:].transpose(0, 2, 1)
            h[:, n_fixed:] *= (wt @ data) / np.maximum(wt @ (w @ h), _EPS)
        finished = np.zeros(len(runs), bool)
        if iteration % 10 == 0:
            misfit = data - w @ h
            new_error = np.array([np.linalg.norm(one) for one in misfit]) / norm
            finished = np.isfinite(error) & (error - new_error < tol * error)
            error = new_error
        if should_stop is not None and iteration % 50 == 0 and should_stop():
            finished[:] = True
        if iteration == max_iter:
            finished[:] = True
        for i in np.flatnonzero(finished):
            done[runs[i]] = (w[i], h[i], iteration)
        if finished.any():
            runs, error, w, h = runs[~finished], error[~finished], w[~finished], h[~finished]
        if not len(runs):
            break
    return done
