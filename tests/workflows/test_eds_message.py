"""What the EELS panel and command say of EDS spectra: a spectrum image can be mapped with
`insitu-tem eds`; a lone spectrum is shown, not analysed, and `insitu-tem eds` names its lines."""

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.workflows.eels_checks import eds_message

ENERGY = Axis("E", 64, 10.0, 0.0, "eV")


def test_an_eds_spectrum_image_is_sent_to_the_eds_command():
    cube = Dataset(
        "spectrum_series",
        np.ones((3, 4, 64)),
        (Axis("scan_y", 3), Axis("scan_x", 4), ENERGY),
        {"signal_type": "EDS_TEM"},
        source="/data/map.hspy",
    )
    assert eds_message(cube) == (
        "map.hspy: holds EDS (X-ray) spectra, not electron energy-loss spectra — map its X-ray "
        "lines with insitu-tem eds, or open EELS data"
    )


def test_a_lone_eds_spectrum_is_sent_to_the_command_that_names_its_lines():
    spectrum = Dataset(
        "spectrum", np.ones(64), (ENERGY,), {"signal_type": "EDS_TEM"}, source="/data/one.msa"
    )
    message = eds_message(spectrum)
    assert message.startswith("one.msa: holds EDS (X-ray) spectra")
    assert "shown, not analysed here; insitu-tem eds names its X-ray lines" in message
    assert "map" not in message
