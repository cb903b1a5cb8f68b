"""`insitu-tem tomo`, `segment` and `eds` on the phantom and the real Bruker files."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "edstomo_idp"


@pytest.fixture(scope="module")
def tomo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tomo")
    sample.write(
        folder, Phantom(size=48, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), counts=100.0)
    )
    out = folder / "out"
    code = main(
        [
            "tomo",
            str(folder / sample.HAADF_NAME),
            "--also",
            str(folder / sample.OXYGEN_NAME),
            "--tilt-axis-angle",
            "0",
            "--iterations",
            "10",
            "--out",
            str(out),
            "--json",
            "--quiet",
        ]
    )
    assert code == 0
    return folder, out, json.loads((folder / sample.TRUTH_NAME).read_text())


def test_tomo_contract(tomo_run, capsys):
    folder, out, truth = tomo_run
    document = json.loads((out / "alignment.json").read_text())
    assert document["tilts_deg"] == truth["tilts_deg"]
    shifts, sigma = np.array(document["shifts_px"]), np.array(document["shifts_sigma_px"])
    assert shifts.shape == sigma.shape == (13, 2)
    error = shifts - np.array(truth["shifts_px"])
    assert np.sqrt(np.mean(np.sum(error**2, axis=1))) < 0.7
    assert np.all(sigma > 0) and np.mean(np.abs(error) <= 2 * sigma) >= 0.8
    assert abs(document["tilt_axis_offset_px"] - truth["tilt_axis_offset_px"]) < 1.0
    volumes = sorted(out.glob("*.tif"))
    assert [v.name for v in volumes] == [
        "tomo_O_O_Ka.tif",
        "tomo_O_O_Ka_projections.tif",
        "tomo_haadf_HAADF.tif",
        "tomo_haadf_HAADF_projections.tif",
    ]
    volume = tifffile.imread(volumes[2])
    assert volume.shape == (48, 48, 48) and volume.dtype == np.float32
    with tifffile.TiffFile(volumes[3]) as tif:
        aligned, meta = tif.asarray(), tif.shaped_metadata[0]
    assert aligned.shape == (13, 48, 48) and meta["tilts_deg"] == truth["tilts_deg"]
    assert meta["axis_offset_px"] == pytest.approx(document["tilt_axis_offset_px"])


def test_segment_measures_the_shell(tomo_run, capsys):
    folder, out, truth = tomo_run
    labels = folder / "labels.tif"
    code = main(
        [
            "segment",
            str(out / "tomo_haadf_HAADF.tif"),
            "--out",
            str(labels),
            "--composition",
            f"O={out / 'tomo_O_O_Ka.tif'}",
            "--json",
            "--quiet",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["ok"]
    assert abs(document["shell_thickness_px"] - truth["shell_thickness_px"]) < 1.5
    assert document["units"] == "nm" and document["shell_thickness"] == pytest.approx(
        0.5 * document["shell_thickness_px"]
    )
    assert tifffile.imread(labels).max() == 2
    for label in ("1", "2"):
        sigma, count = document["volumes_voxels_sigma"][label], document["volumes_voxels"][label]
        assert 0 < sigma < 0.2 * count
        assert document["volumes_sigma"][label] == pytest.approx(0.125 * sigma)
        material = document["material_volumes_voxels"][label]
        assert 0 < document["material_volumes_voxels_sigma"][label] < 0.1 * material
        assert document["material_volumes"][label] == pytest.approx(0.125 * material)
    core = np.pi * truth["core_radius_px"] ** 2 * truth["size_px"]
    assert abs(document["material_volumes_voxels"]["2"] / core - 1) < 0.1
    assert (
        document["composition_wt_percent_sigma"].keys() == document["composition_wt_percent"].keys()
    )
    assert document["composition_method"] == "projections"
    assert document["composition_wt_percent"]["1"]["O"] == pytest.approx(100)


def test_bad_options_are_one_line(tomo_run, capsys):
    folder, out, _ = tomo_run
    code = main(["tomo", str(folder / sample.HAADF_NAME), "--tilts", "0:10:0", "--out", str(out)])
    assert code == 2 and capsys.readouterr().err.startswith("insitu-tem: error: ")


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")
def test_eds_on_a_real_bruker_map(capsys):
    code = main(
        [
            "eds",
            str(REAL / "0.bcf"),
            "--elements",
            "Si,O,Fe",
            "--kfactors",
            "Si=1,O=2,Fe=1.5",
            "--kfactor-sigmas",
            "O=0.2",
            "--json",
            "--quiet",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["lines"] == ["Si_Ka", "O_Ka", "Fe_Ka"]
    assert np.array(document["maps"]["Si_Ka"]).shape == (256, 256)
    assert document["totals"]["O_Ka"] > 0 and document["totals"]["Fe_Ka"] > 0
    assert sum(document["quantification"]["weight_percent"].values()) == pytest.approx(100.0)
    sigma = document["quantification"]["weight_percent_sigma"]
    assert all(0 < v < 100 for v in sigma.values())
    assert all(document["totals_sigma"][n] > 0 for n in document["lines"])
    assert document["quantification"]["kfactor_sigmas"] == {"Si": 0.0, "O": 0.2, "Fe": 0.0}


def test_export_view_tomo_from_a_saved_project(tomo_run, tmp_path, capsys):
    from PIL import Image

    from insitu_tem.core.project import save_session
    from insitu_tem.core.session import Session
    from insitu_tem.io.tomo_files import write_project_volumes
    from insitu_tem.analysis.tomo.alignment_result import Alignment
    from insitu_tem.workflows.tomo_results import (
        ALIGNMENT,
        SEGMENTATION,
        alignment_result,
        measure,
        measurement_rows,
        segmentation_result,
    )

    _, out, truth = tomo_run
    volume = tifffile.imread(out / "tomo_haadf_HAADF.tif")
    measured = measure(volume, {})
    project = tmp_path / "wire.itproj"
    session = Session()
    session.store_result(
        SEGMENTATION, segmentation_result(measured, measurement_rows(measured, 0.5, "nm"))
    )
    files = write_project_volumes(
        project, {"HAADF": volume}, measured.segmentation.labels, voxel_size=0.5, units="nm"
    )
    session.set_panel_state("tomo", {"files": files})
    session.set_view("tomo.cursor", [24, 10, 24])
    tilts = np.array(truth["tilts_deg"])
    axis = Alignment(
        tilts, np.zeros((tilts.size, 2)), -29.9, 0.2, 2.3, 0.5, 0.1, np.ones(13), "xcorr"
    )
    axis = replace(axis, axis_method="offset slope")
    session.store_result(ALIGNMENT, alignment_result("tomo_haadf.hspy", axis, axis_choice=None))
    save_session(session, project)
    figure = tmp_path / "tomo.png"
    code = main(["export", str(project), "--view", "tomo", "--out", str(figure), "--dpi", "50"])
    assert code == 0, capsys.readouterr().err
    parameters = json.loads(Image.open(figure).text["insitu-tem"])["parameters"]
    assert parameters["view"] == "tomo" and parameters["cursor_zyx"] == [24, 10, 24]
    assert (
        parameters["tilt_axis_angle_deg"] == -29.9
        and parameters["tilt_axis_angle_sigma_deg"] == 0.2
    )
    assert (
        parameters["tilt_axis_method"] == "offset slope"
        and parameters["tilt_axis_offset_px"] == 2.3
    )
    assert (
        parameters["shell_thickness"] == pytest.approx(0.5 * measured.wire.thickness_median)
        and abs(measured.wire.thickness_median - truth["shell_thickness_px"]) < 1.5
    )
    (tmp_path / "wire.itproj.tomo" / "labels.tif").unlink()
    code = main(["export", str(project), "--view", "tomo", "--out", str(figure), "--force"])
    assert code == 2 and "labels.tif" in capsys.readouterr().err


def test_segment_says_why_a_material_volume_is_not_measured(tmp_path, capsys):
    z, y, x = np.indices((24, 20, 24))
    radius = np.hypot(z - 12, x - 12)
    labels = (radius < 8).astype(np.float32) + (radius < 1.5)
    volume = labels + np.random.default_rng(0).normal(0, 0.05, labels.shape)
    path = tmp_path / "thin_core.tif"
    tifffile.imwrite(path, volume.astype(np.float32), imagej=True)
    out = tmp_path / "labels.tif"
    code = main(["segment", str(path), "--out", str(out), "--json", "--quiet"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["material_volumes_voxels"]["2"] is None
    assert document["material_volumes_reason"].startswith("core not measured: no plateau")
    code = main(["segment", str(path), "--out", str(tmp_path / "again.tif"), "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    reason = lines.index("material_volumes_reason:")
    assert lines[reason + 1].startswith("  core not measured: no plateau")


def test_segment_gives_a_null_reason_when_the_material_volumes_are_measured(tomo_run, capsys):
    folder, out, _ = tomo_run
    labels = folder / "labels_reason.tif"
    code = main(
        ["segment", str(out / "tomo_haadf_HAADF.tif"), "--out", str(labels), "--json", "--quiet"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["material_volumes_reason"] is None
    assert all(v > 0 for v in document["material_volumes_voxels"].values())
