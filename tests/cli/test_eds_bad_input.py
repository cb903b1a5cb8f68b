"""`insitu-tem eds` on a spectrum image it cannot use: one line naming it and what to do."""

import numpy as np

from insitu_tem.cli.main import main
from tests.gui.test_line_scan_bad_input import write_hspy


def test_a_spectrum_image_with_nan_is_refused_naming_it(capsys, tmp_path):
    cube = np.random.default_rng(0).poisson(5, (4, 4, 512)).astype(np.float32)
    cube[1, 2, 100:110] = np.nan
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    path = write_hspy(tmp_path / "e.hspy", cube, position, [("E", 0.02, "keV", 0.0)], "EDS_TEM")
    assert main(["eds", str(path), "--elements", "Si,O"]) == 2
    assert capsys.readouterr().err == (
        "insitu-tem: error: e.hspy: holds 10 NaN or infinite values, which the line maps cannot "
        "use; replace them (e.g. by 0) and export the spectrum image again\n"
    )
