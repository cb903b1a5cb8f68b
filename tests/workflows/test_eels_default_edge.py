"""The EELS data opens on the edge it shows, in the parameters the panel and the job use: Ti L2,3
on SrTiO3 core loss (N K, first in its range, is absent), W O2,3 on the sample line scan."""

import pytest

from insitu_tem.core.session import Session
from insitu_tem.io.load import load
from insitu_tem.workflows import eels
from insitu_tem.workflows.project import open_session


@pytest.mark.parametrize("name", ["EELS_STO.dm3", "STO_coreloss.msa"])
def test_srtio3_core_loss_opens_on_ti_l23(realdata, name):
    session = Session()
    session.set_dataset("eels", load(realdata(name)))
    assert eels.session_parameters(session)["edge"] == "Ti-L23"


def test_the_sample_line_scan_still_opens_on_w_o23(sample_project):
    session = open_session(sample_project)
    assert eels.session_parameters(session)["edge"] == "W-O23"
