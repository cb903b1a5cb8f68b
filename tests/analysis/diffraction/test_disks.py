"""Spot detection, zone-axis indexing against the phase library, tracking and lattice strain."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.crystal.phases import get_phase
from insitu_tem.analysis.diffraction.strain import fit_lattice_strain, track_spots
from insitu_tem.analysis.crystal.zone import zone_reflections
from insitu_tem.analysis.diffraction.disks import detect_spots, friedel_partners, index_spots
from insitu_tem.io.load import load
from insitu_tem.samples.nbd import DISK_RADIUS_PX, SCALE_PER_NM, render_pattern, wo3_010_reflections

WO3 = "γ-WO3"


def _expected_positions(centre, strain=0.0):
    spots = [s for s in wo3_010_reflections(q_max_per_nm=7.0) if s.weight > 0.05]
    return {
        s.hkl: np.asarray(centre) + np.asarray(s.g_rc) / (1 + strain) / SCALE_PER_NM for s in spots
    }


@pytest.mark.parametrize("method", ["template", "log"])
def test_detected_spots_sit_on_the_simulated_lattice_to_a_twentieth_of_a_pixel(method):
    centre = (63.3, 64.6)
    pattern = render_pattern(centre_rc=centre, amorphous_fraction=0.5)
    spots = detect_spots(pattern, centre_rc=centre, disk_radius_px=DISK_RADIUS_PX, method=method)
    expected = np.array(list(_expected_positions(centre).values()))
    inside = np.all((expected > 8) & (expected < 120), axis=1)
    distance = np.hypot(
        *(spots.position_rc[:, None, :] - expected[None, inside, :]).transpose(2, 0, 1)
    )
    assert distance.min(axis=0).max() < 0.05
    assert np.all(np.diff(spots.intensity) <= 0)
    assert (friedel_partners(spots.g_px) >= 0).sum() >= 20


def test_noise_only_pattern_gives_no_spots():
    rng = np.random.default_rng(4)
    spots = detect_spots(
        rng.poisson(20.0, (128, 128)).astype(float), centre_rc=(64, 64), disk_radius_px=3.5
    )
    assert len(spots) < 3


def test_zone_reflections_obey_the_zone_law_and_extinctions():
    phase = get_phase(WO3)
    found = zone_reflections(phase, (0, 1, 0), q_max_per_A=0.6)
    hkls = {r.hkl for r in found}
    assert all(k == 0 for _, k, _ in hkls)
    assert (2, 0, 0) in hkls and (1, 0, 1) in hkls
    assert (1, 0, 0) not in hkls and (0, 0, 1) not in hkls
    for r in found:
        assert np.hypot(*r.g_xy) == pytest.approx(1 / phase.d_spacing(r.hkl), rel=1e-9)


def test_indexing_finds_the_010_zone_and_the_strain_as_a_common_scale():
    phase = get_phase(WO3)
    for strain in (0.0, 0.01):
        centre = (64.2, 63.1)
        pattern = render_pattern(centre_rc=centre, strain=strain)
        spots = detect_spots(pattern, centre_rc=centre, disk_radius_px=DISK_RADIUS_PX)
        result = index_spots(spots, phase=phase, scale_per_nm=SCALE_PER_NM)
        assert result.ok and result.zone_uvw == (0, 1, 0)
        assert result.scale_ratio == pytest.approx(1 + strain, abs=3e-4)
        assert result.rms_d_error < 1e-3
        d_measured = 10.0 / (np.hypot(*spots.g_px.T) * SCALE_PER_NM)
        indexed = [(d, hkl) for d, hkl in zip(d_measured, result.hkl) if hkl is not None]
        assert len(indexed) >= 25
        for d, hkl in indexed:
            assert hkl[1] == 0
            assert d == pytest.approx(phase.d_spacing(hkl) * (1 + strain), rel=2e-3)


def test_indexing_reports_a_phase_that_does_not_fit():
    pattern = render_pattern(centre_rc=(64.0, 64.0))
    spots = detect_spots(pattern, centre_rc=(64.0, 64.0), disk_radius_px=DISK_RADIUS_PX)
    result = index_spots(spots, phase=get_phase("W"), scale_per_nm=SCALE_PER_NM)
    assert not result.ok and "W" in result.reason
    with pytest.raises(ValueError, match="calibrate"):
        index_spots(spots, phase=get_phase("W"), scale_per_nm=0.0)


def test_strain_fit_recovers_an_exact_affine_map():
    rng = np.random.default_rng(7)
    q = rng.uniform(-50, 50, (20, 2))
    matrix = np.array([[1 / 1.01, 0.002], [-0.001, 1 / 1.01]])
    fit = fit_lattice_strain(q, q @ matrix.T + [63.0, 65.0])
    assert fit.ok and fit.rms_px < 1e-9
    assert fit.translation_px == pytest.approx([63.0, 65.0])
    assert fit.lattice_strain == pytest.approx(1 / np.sqrt(np.linalg.det(matrix)) - 1, abs=1e-12)
    assert not fit_lattice_strain(q[:2], q[:2]).ok


def test_strain_precision_on_clean_patterns_is_better_than_1e_4():
    rng = np.random.default_rng(11)
    strains = rng.uniform(0.0, 0.012, 6)
    centres = rng.uniform(62.0, 66.0, (7, 2))
    patterns = [render_pattern(centre_rc=tuple(centres[0]))]
    patterns += [render_pattern(centre_rc=tuple(c), strain=s) for c, s in zip(centres[1:], strains)]
    tracks = track_spots(np.stack(patterns), centres_rc=centres, disk_radius_px=DISK_RADIUS_PX)
    assert tracks.reference_index == 0
    np.testing.assert_allclose(tracks.lattice_strain[1:], strains, atol=1e-4)
    assert all(f.n_spots >= 20 for f in tracks.fits)
    shifts = tracks.shifts_px(int(np.argmax(strains)) + 1)
    radial = np.sum(shifts * tracks.reference.g_px, axis=1)
    assert np.nanmax(radial) < 0


def test_tracking_survives_noise_and_a_missing_pattern():
    rng = np.random.default_rng(12)
    strains = [0.0, 0.004, 0.008, 0.012]
    patterns = [rng.poisson(render_pattern(centre_rc=(64.0, 64.0), strain=s)) for s in strains]
    patterns.insert(
        2,
        rng.poisson(
            render_pattern(centre_rc=(64.0, 64.0), spot_fraction=0.0, amorphous_fraction=1.0)
        ),
    )
    tracks = track_spots(
        np.stack(patterns), centres_rc=np.full((5, 2), 64.0), disk_radius_px=DISK_RADIUS_PX
    )
    strain = tracks.lattice_strain
    assert np.isnan(strain[2]) and not tracks.fits[2].ok
    np.testing.assert_allclose(strain[[0, 1, 3, 4]], strains, atol=1e-3)


def test_bad_reference_raises():
    patterns = np.stack([render_pattern(centre_rc=(64.0, 64.0))] * 2)
    with pytest.raises(ValueError, match="reference"):
        track_spots(
            patterns, centres_rc=np.full((2, 2), 64.0), disk_radius_px=3.0, reference_index=5
        )


def test_sample_scan_strain_profile_across_the_front(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    truth = json.loads((sample_data / "nbd_linescan.truth.json").read_text())
    patterns = np.asarray(load(path).array)
    tracks = track_spots(
        patterns,
        centres_rc=np.array(truth["centre_rc"]),
        disk_radius_px=DISK_RADIUS_PX,
        reference_index=truth["strain_reference_index"],
    )
    expected = np.array([np.nan if v is None else v for v in truth["lattice_strain"]])
    spots = np.array(truth["phase_fractions"]["WO3 spots"]) >= 0.5
    np.testing.assert_allclose(tracks.lattice_strain[spots], expected[spots], atol=1e-3)
    assert np.isnan(tracks.lattice_strain[:10]).all()


def test_a_second_tracking_of_the_same_scan_reuses_its_spots(monkeypatch):
    from insitu_tem.analysis.diffraction import scan_spots

    calls = []
    counted = scan_spots.scan_candidates
    monkeypatch.setattr(
        scan_spots,
        "scan_candidates",
        lambda patterns, *args, **kwargs: (
            calls.append(len(patterns)) or counted(patterns, *args, **kwargs)
        ),
    )
    patterns = np.stack(
        [render_pattern(centre_rc=(64.0, 64.0), strain=s) for s in (0, 0.004, 0.008)]
    )
    centres = np.full((3, 2), 64.0)
    first = track_spots(patterns, centres_rc=centres, disk_radius_px=DISK_RADIUS_PX)
    again = track_spots(
        patterns, centres_rc=centres, disk_radius_px=DISK_RADIUS_PX, reference_index=2
    )
    assert sum(calls) == 3 and again.reference_index == 2
    np.testing.assert_allclose(again.lattice_strain[0], 1 / 1.008 - 1, atol=2e-4)
    assert first.spot_sets[1] is again.spot_sets[1]
    patterns[1] += 1.0
    track_spots(patterns, centres_rc=centres, disk_radius_px=DISK_RADIUS_PX)
    assert sum(calls) == 6
