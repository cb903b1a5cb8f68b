"""What the panels say where a probe or scan position has no value: an EELS t/λ without its
1σ, probes without a window or MLLS fit drawn as gaps and counted in the plot's title, NBD
strain positions not measured."""

import numpy as np


def test_t_over_lambda_without_its_1_sigma_says_why():
    from insitu_tem.gui.panels.eels.readout import describe

    value = {
        "zlp_found": [True, True],
        "zlp_offset_eV": [0.01, 0.02],
        "zlp_offset_sigma_eV": [0.001, 0.001],
        "fwhm_eV": [0.8, 0.8],
        "fwhm_sigma_eV": [0.01, 0.01],
        "t_over_lambda": [0.52, 0.61],
        "t_over_lambda_sigma": [0.004, float("nan")],
        "t_over_lambda_reason": "",
    }
    assert "t/λ 0.5200 ± 0.0040" in describe(value, 0)
    assert "t/λ 0.610 (no 1σ: the spectrum does not fall towards the end" in describe(value, 1)


def test_probes_without_a_window_or_mlls_fit_are_gaps_not_zeros(qtbot):
    from insitu_tem.gui.panels.eels.profiles import EelsProfiles

    profiles = EelsProfiles()
    qtbot.addWidget(profiles)
    positions, nan = np.arange(4) * 8.0, float("nan")
    window, sigma = np.array([5.0, nan, 7.0, 6.0]), np.array([0.5, nan, 0.6, 0.5])
    profiles.set_line(
        positions, "nm", np.zeros(4), np.full(4, 0.01), window, "W-O23", window_sigma=sigma
    )
    profiles.set_fractions(np.array([1.0, 0.6, nan, 0.0]), np.ones(4))
    _, drawn = profiles.window_curve.getData()
    assert np.isnan(drawn[1]) and drawn[3] == 6.0
    np.testing.assert_array_equal(profiles.window_bars.opts["x"], positions[[0, 2, 3]])
    _, fraction = profiles.fraction_curve.getData()
    assert np.isnan(fraction[2]) and fraction[3] == 0.0
    title = profiles.fraction_plot.getPlotItem().titleLabel.text
    assert "1σ not estimated" in title and "not measured at 1 probe (" in title
    profiles.set_fractions(
        np.array([1.0, 0.6, nan, 0.0]), np.ones(4), sigma=np.array([0.02, nan, nan, 0.03])
    )
    bars = profiles.fraction_bars.opts
    np.testing.assert_array_equal(bars["x"], positions[[0, 3]])
    np.testing.assert_allclose(bars["height"], [0.04, 0.06])
    title = profiles.fraction_plot.getPlotItem().titleLabel.text
    assert "MLLS fraction ± 1σ" in title and "not measured at 2 probes" in title


def test_the_nbd_strain_status_counts_one_position_in_the_singular():
    from insitu_tem.gui.panels.nbd.scan_status import strain_gaps

    value = {
        "lattice_strain": [0.001, float("nan"), 0.002],
        "lattice_strain_reason": ["", "too few spots matched (2 of 6 needed)", ""],
    }
    assert strain_gaps(value) == "; strain not measured at 1 position: too few spots matched"
