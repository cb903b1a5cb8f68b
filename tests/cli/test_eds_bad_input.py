"""`insitu-tem eds` and `eels` on EDS spectrum images they cannot use: one line naming the file
and what to do."""

import numpy as np

from insitu_tem.cli.main import main
from tests.gui.test_line_scan_bad_input import write_hspy


def eds_cube(path, cube=None):
    """A 4 × 4 px EDS spectrum image of 512 channels (0–10 keV) marked EDS_TEM."""
    if cube is None:
        cube = np.random.default_rng(0).poisson(5, (4, 4, 512)).astype(np.float32)
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    return write_hspy(path, cube, position, [("E", 0.02, "keV", 0.0)], "EDS_TEM")


def test_a_spectrum_image_with_nan_is_refused_naming_it(capsys, tmp_path):
    cube = np.random.default_rng(0).poisson(5, (4, 4, 512)).astype(np.float32)
    cube[1, 2, 100:110] = np.nan
    path = eds_cube(tmp_path / "e.hspy", cube)
    assert main(["eds", str(path), "--elements", "Si,O"]) == 2
    assert capsys.readouterr().err == (
        "insitu-tem: error: e.hspy: holds 10 NaN or infinite values, which the line maps cannot "
        "use; replace them (e.g. by 0) and export the spectrum image again\n"
    )


def test_eels_refuses_eds_spectra_naming_the_file(capsys, tmp_path):
    path = eds_cube(tmp_path / "e.hspy")
    for edge in ([], ["--edge", "W-O23"]):
        assert main(["eels", str(path), *edge]) == 2
        assert capsys.readouterr().err == (
            "insitu-tem: error: e.hspy: holds EDS (X-ray) spectra, not electron energy-loss "
            "spectra — map its X-ray lines with insitu-tem eds, or open EELS data\n"
        )
