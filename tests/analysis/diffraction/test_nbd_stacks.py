"""What the NBD scan analysis computes on stacks gives what it gives run by run: the NMF restarts
updated together are the NMF of each seed alone, bit for bit."""

import numpy as np

from insitu_tem.analysis.diffraction.decomposition import nmf, nmf_runs


def _profiles(n: int = 20, m: int = 50) -> np.ndarray:
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 1.0, m)
    phases = np.stack([np.exp(-0.5 * ((x - c) / 0.05) ** 2) for c in (0.3, 0.5, 0.7)])
    t = np.linspace(0.0, 1.0, n)[:, None]
    amounts = np.hstack([1 - t, t, 4 * t * (1 - t)])
    return np.clip(amounts @ phases + rng.normal(0, 0.01, (n, m)), 0.0, None)


def test_nmf_runs_are_each_seed_alone():
    profiles = _profiles()
    runs = nmf_runs(profiles, seeds=range(4), n_components=3, fixed_components=profiles[[0, -1]])
    iterations = set()
    for seed, run in enumerate(runs):
        alone = nmf(profiles, n_components=3, fixed_components=profiles[[0, -1]], seed=seed)
        np.testing.assert_array_equal(run.weights, alone.weights)
        np.testing.assert_array_equal(run.components, alone.components)
        assert run.iterations == alone.iterations and run.fixed == alone.fixed
        iterations.add(run.iterations)
    assert len(iterations) > 1


def test_nmf_runs_stop_together_when_asked():
    profiles = _profiles()
    runs = nmf_runs(profiles, seeds=(0, 1), n_components=3, should_stop=lambda: True)
    assert [run.iterations for run in runs] == [50, 50]
    assert [r.iterations for r in nmf_runs(profiles, seeds=(2,), max_iter=0)] == [0]
