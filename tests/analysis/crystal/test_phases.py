"""Phase library: structures, extinctions from the structure factor, CIF import, matching."""

import numpy as np
import pytest
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import find_peaks

from insitu_tem.analysis.crystal.phases import (
    Phase,
    get_phase,
    load_cif,
    load_library,
    match_spacings,
)

LIBRARY_NAMES = {"γ-WO3", "LixWO3", "W", "Li", "Li2O", "LiH", "LiF", "Cu", "Si"}


def families(name, d_min=0.9):
    return {r.hkl: r for r in get_phase(name).reflections(d_min_A=d_min)}


def test_library_names_are_exact():
    library = load_library()
    assert LIBRARY_NAMES <= set(library)
    assert {"SrTiO3", "Bi", "VO2"} <= set(library)
    assert get_phase("gamma-WO3") is library["γ-WO3"]
    assert get_phase("li2o").name == "Li2O"
    with pytest.raises(ValueError, match="choose one of"):
        get_phase("WO2")


@pytest.mark.parametrize(
    "name, hkl, d",
    [
        ("γ-WO3", (0, 0, 2), 3.846),
        ("γ-WO3", (0, 2, 0), 3.770),
        ("γ-WO3", (2, 0, 0), 3.653),
        ("W", (1, 1, 0), 2.238),
        ("W", (2, 0, 0), 1.583),
        ("W", (2, 1, 1), 1.292),
        ("Li", (1, 1, 0), 2.481),
        ("Li", (2, 0, 0), 1.755),
        ("Li2O", (1, 1, 1), 2.662),
        ("Li2O", (2, 0, 0), 2.306),
        ("Li2O", (2, 2, 0), 1.630),
        ("LiH", (1, 1, 1), 2.357),
        ("LiH", (2, 0, 0), 2.042),
        ("LiH", (2, 2, 0), 1.444),
        ("LiF", (1, 1, 1), 2.325),
        ("LiF", (2, 0, 0), 2.013),
        ("LiF", (2, 2, 0), 1.424),
        ("Cu", (1, 1, 1), 2.087),
        ("Cu", (2, 0, 0), 1.808),
        ("Si", (1, 1, 1), 3.136),
        ("Si", (2, 2, 0), 1.920),
        ("Si", (3, 1, 1), 1.638),
    ],
)
def test_allowed_reflections_reproduce_the_domain_table(name, hkl, d):
    found = families(name)
    assert hkl in found, f"{name} {hkl} missing from {list(found)[:8]}"
    assert found[hkl].d_A == pytest.approx(d, abs=1.5e-3)
    assert found[hkl].g_per_A == pytest.approx(1 / found[hkl].d_A)


def test_diamond_extinctions_come_from_the_structure_factor():
    si = get_phase("Si")
    assert abs(si.structure_factor((2, 0, 0))) < 1e-9 * abs(si.structure_factor((1, 1, 1)))
    assert set(families("Si")) >= {(1, 1, 1), (2, 2, 0), (3, 1, 1), (4, 0, 0)}
    assert not {(2, 0, 0), (2, 2, 2), (1, 0, 0), (1, 1, 0)} & set(families("Si"))


def test_fcc_bcc_and_screw_axis_extinctions():
    assert not {(1, 0, 0), (1, 1, 0), (2, 1, 0)} & set(families("Cu"))
    assert not {(1, 0, 0), (1, 1, 1), (2, 1, 0)} & set(families("W"))
    wo3 = get_phase("γ-WO3")
    assert abs(wo3.structure_factor((0, 1, 0))) < 1e-6  # 2_1 screw: 0k0, k odd
    assert abs(wo3.structure_factor((1, 0, 0))) < 1e-6  # n glide: h0l, h + l odd
    assert abs(wo3.structure_factor((1, 0, 2))) < 1e-6
    assert abs(wo3.structure_factor((1, 0, 1))) > 0.1


def test_multiplicities_follow_the_point_group():
    assert families("W")[(1, 1, 0)].multiplicity == 12
    assert families("Cu")[(1, 1, 1)].multiplicity == 8
    assert families("Si")[(3, 1, 1)].multiplicity == 24
    assert families("γ-WO3")[(0, 0, 2)].multiplicity == 2
    assert len(get_phase("γ-WO3").atoms.elements) == 32


def test_reflections_are_sorted_and_beam_energy_scales_intensity():
    w = get_phase("W")
    listed = w.reflections(d_min_A=0.8)
    assert [r.d_A for r in listed] == sorted((r.d_A for r in listed), reverse=True)
    at_300 = w.reflections(d_min_A=1.0, energy_kV=300)[0].intensity
    ratio = at_300 / w.reflections(d_min_A=1.0, energy_kV=80)[0].intensity
    assert ratio == pytest.approx(((1 + 300 / 511.0) / (1 + 80 / 511.0)) ** 2, rel=1e-3)
    with pytest.raises(ValueError, match="positive"):
        w.reflections(d_min_A=0)


def test_zone_axis_and_angles():
    lih = get_phase("LiH")
    assert lih.zone_axis((2, 0, 0), (1, 1, 1)) == (0, 1, -1)
    assert lih.angle_deg((2, 0, 0), (1, 1, 1)) == pytest.approx(54.7356, abs=1e-4)


def test_cif_with_explicit_operators_equals_the_library(tmp_path):
    lines = [
        "data_rocksalt",
        "_chemical_name_common 'my LiF'",
        "_cell_length_a 4.0263",
        "_cell_length_b 4.0263",
        "_cell_length_c 4.0263",
        "_cell_angle_alpha 90",
        "_cell_angle_beta 90",
        "_cell_angle_gamma 90",
        "loop_",
        "_space_group_symop_operation_xyz",
    ]
    import gemmi

    lines += [f"'{op.triplet()}'" for op in gemmi.SpaceGroup("F m -3 m").operations()]
    lines += [
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
        "_atom_site_U_iso_or_equiv",
        "Li1 Li+ 0 0 0 0.0114",
        "F1 F- 0.5 0.5 0.5 0.0089",
    ]
    path = tmp_path / "lif.cif"
    path.write_text("\n".join(lines) + "\n")
    phase = load_cif(path)
    assert (
        isinstance(phase, Phase)
        and phase.name == "my LiF"
        and phase.space_group.startswith("F m -3 m")
    )
    reference = get_phase("LiF").reflections(d_min_A=1.0)
    mine = phase.reflections(d_min_A=1.0)
    assert [r.hkl for r in mine] == [r.hkl for r in reference]
    assert [r.intensity for r in mine] == pytest.approx([r.intensity for r in reference], rel=0.02)


@pytest.mark.parametrize("content", ["not a cif at all {", "data_x\n_cell_length_a 4\n"])
def test_bad_cif_raises_a_fixable_error(tmp_path, content):
    path = tmp_path / "bad.cif"
    path.write_text(content)
    with pytest.raises(ValueError, match="bad.cif"):
        load_cif(path)


def test_lih_lif_w_overlap_is_reported_ambiguous():
    result = match_spacings([2.30], tolerance=0.03, phases=["LiH", "LiF", "W"])
    assert result.ok and result.ambiguous
    assert {c.phase for c in result.candidates} == {"LiH", "LiF", "W"}
    assert {c.hkl[0] for c in result.candidates} == {(1, 1, 1), (1, 1, 0)}
    assert "ambiguous" in result.note and "LiH" in result.note and "W" in result.note
    default = match_spacings([2.35])
    assert default.ambiguous and {"LiH", "LiF"} <= {c.phase for c in default.candidates}


def test_two_spacings_and_their_angle_identify_lih():
    result = match_spacings(
        [2.05, 2.35], angles_deg=[12.0, 12.0 + 54.74], phases=["LiH", "LiF", "W", "Li2O"]
    )
    best = result.best
    assert best.phase == "LiH" and best.n_matched == 2
    assert best.hkl[0] == (2, 0, 0) and sorted(map(abs, best.hkl[1])) == [1, 1, 1]
    assert sorted(map(abs, best.zone_axis)) == [0, 1, 1]
    assert np.dot(best.zone_axis, best.hkl[1]) == 0


@pytest.mark.parametrize("rotation", [0.0, 47.0, 133.0])
@pytest.mark.parametrize("noise", [0.0, 0.004])
def test_wo3_zone_from_generated_spots(rotation, noise):
    wo3 = get_phase("γ-WO3")
    rng = np.random.default_rng(7)
    spots = [(0, 0, 2), (0, 2, 0), (0, 2, 2)]
    d = [wo3.d_spacing(h) * (1 + noise * rng.standard_normal()) for h in spots]
    azimuths = [rotation, rotation + 90.0, rotation + wo3.angle_deg((0, 0, 2), (0, 2, 2))]
    result = match_spacings(d, angles_deg=azimuths, phases=["γ-WO3", "LixWO3", "SrTiO3"])
    assert result.best.phase == "γ-WO3" and result.best.n_matched == 3
    assert result.best.zone_axis == (1, 0, 0)
    assert result.best.hkl[0] == (0, 0, 2)


def test_unmatched_spacings_are_a_result_not_an_error():
    result = match_spacings([9.0])
    assert not result.ok and result.best is None and "tolerance" in result.reason
    with pytest.raises(ValueError, match="positive"):
        match_spacings([])
    with pytest.raises(ValueError, match="angle"):
        match_spacings([2.0, 2.3], angles_deg=[0.0])


@pytest.mark.realdata
def test_vo2_powder_peaks_index_as_rutile(realdata):
    s, intensity = np.load(realdata("powder_VO2.npy"))
    d = 1 / (2 * s)
    background = uniform_filter1d(minimum_filter1d(intensity, 60), 60)
    peaks, _ = find_peaks(intensity - background, prominence=0.1 * np.ptp(intensity - background))
    measured = sorted((d[i] for i in peaks if d[i] > 1.4), reverse=True)
    assert measured == pytest.approx([3.20, 2.43, 2.14, 1.65, 1.44], abs=0.015)
    result = match_spacings(measured, phases=["VO2"])
    assert result.best.phase == "VO2" and result.best.n_matched == 5
    assert result.best.hkl[:4] == ((1, 1, 0), (1, 0, 1), (1, 1, 1), (2, 1, 1))
    assert all(abs(e) < 0.01 for e in result.best.d_error)
