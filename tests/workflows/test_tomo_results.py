"""The panel's measurements: the composition per label is fitted on the element projections
when the series is at hand, and averaged over the element volume when not."""

from types import SimpleNamespace

import numpy as np

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.samples.tomo import Phantom, make_series
from insitu_tem.workflows import tomo_results as results
from insitu_tem.workflows.tomo_reconstruct import reconstruct_channel


def test_the_composition_comes_from_the_projections_when_given():
    phantom = Phantom(size=40, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), counts=100.0)
    made = make_series(phantom)
    series = SimpleNamespace(
        channels={"HAADF": made["haadf"], "O_Ka": made["oxygen"], "Si_Ka": made["haadf"]},
        reference=made["haadf"],
        tilts_deg=np.asarray(made["tilts_deg"]),
    )
    alignment = align_tilt_series(made["haadf"], series.tilts_deg, axis_angle_deg=0.0)
    volumes = {
        name: reconstruct_channel(
            stack,
            series.tilts_deg,
            alignment,
            reference_shape=stack.shape[1:],
            method="mlem",
            iterations=10,
        ).volume
        for name, stack in series.channels.items()
    }
    elements = {k: volumes[k] for k in ("O_Ka", "Si_Ka")}
    projections = results.element_projections(series, alignment, tuple(elements), reference="HAADF")
    fitted = results.measure(volumes["HAADF"], elements, projections=projections)
    averaged = results.measure(volumes["HAADF"], elements)
    assert fitted.composition_method == "projections"
    assert averaged.composition_method == "voxel average"
    assert fitted.composition[2]["O"] < averaged.composition[2]["O"] / 3
    rows = dict(results.measurement_rows(fitted, 1.0, "px"))
    assert rows["wt % from"].startswith("the element projections") and "wt %, core" in rows
    assert 0 not in fitted.composition and 0 in averaged.composition


def test_a_material_volume_not_measured_reads_why_in_the_table():
    from insitu_tem.analysis.tomo.segment import Segmentation

    z, y, x = np.indices((24, 20, 24))
    radius = np.hypot(z - 12, x - 12)
    labels = (radius < 8).astype(np.uint8) + (radius < 1.5)
    volume = labels + np.random.default_rng(0).normal(0, 0.05, labels.shape)
    wire = results.measure_wire(labels, volume)
    measured = results.Measured(Segmentation(labels, (), "given"), wire, {})
    rows = dict(results.measurement_rows(measured, 0.5, "nm"))
    core = rows["volume of the core material"]
    assert core.startswith("not measured (core not measured: no plateau inside")
    assert "nan" not in core.lower() and "nm³" not in core
    assert rows["volume of the shell material"].startswith("not measured (")
    stored = results.segmentation_result(measured, list(rows.items())).value
    assert stored["material_volumes_reason"] == wire.material_volumes_reason
