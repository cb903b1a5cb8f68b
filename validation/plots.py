"""Plots of one measurement's errors: |error| against each covariate and the error/σ histogram."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from validation.stats import Measurement  # noqa: E402


def _covariate_axes(
    ax, m: Measurement, name: str, values: np.ndarray, errors: np.ndarray, inside: np.ndarray
) -> None:
    ax.scatter(values[inside], errors[inside], s=8, color="tab:blue", label="within 1σ")
    ax.scatter(values[~inside], errors[~inside], s=8, color="tab:red", label="outside 1σ")
    for target, style in ((m.median_max, "--"), (m.p95_max, ":")):
        if target is not None:
            ax.axhline(target, color="k", linestyle=style, linewidth=0.8)
    ax.set_xlabel(name)
    ax.set_ylabel(f"|error| ({m.units})" if m.units else "|error|")


def _pull_axes(ax, errors: np.ndarray, sigmas: np.ndarray) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        pulls = np.clip(errors / sigmas, -5, 5)
    ax.hist(pulls, bins=np.linspace(-5, 5, 41), density=True, color="0.6")
    x = np.linspace(-5, 5, 201)
    ax.plot(x, np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi), "k-", linewidth=1)
    ax.set_xlabel("error / stated σ")
    ax.set_ylabel("density")


def plot_measurement(m: Measurement, path: Path) -> Path | None:
    """Save the plots of ``m`` to ``path`` (PNG); None when there is nothing to plot."""
    errors = np.asarray(m.errors, dtype=float)
    if errors.size == 0:
        return None
    sigmas = None if m.sigmas is None else np.asarray(m.sigmas, dtype=float)
    inside = np.abs(errors) <= sigmas if sigmas is not None else np.ones(errors.shape, bool)
    covariates = {
        k: np.asarray(v, dtype=float) for k, v in m.covariates.items() if np.size(v) == errors.size
    }
    panels = len(covariates) + (sigmas is not None)
    if panels == 0:
        return None
    columns = min(panels, 4)
    rows = -(-panels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.8 * rows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[panels:]:
        ax.set_visible(False)
    for ax, (name, values) in zip(axes, covariates.items()):
        _covariate_axes(ax, m, name, values, np.abs(errors), inside)
    if sigmas is not None:
        _pull_axes(axes[panels - 1], errors, sigmas)
    if covariates:
        axes[0].legend(fontsize=7)
    fig.suptitle(f"{m.family}: {m.name} (n = {errors.size})", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
