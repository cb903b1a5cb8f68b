"""Every format the readers tell by content is protected from an output written over it, whatever
its name says (one table: :mod:`insitu_tem.io.sniff`); before, an EMSA spectrum, a blockfile, a
Bruker .bcf, a TIA .ser or an MRC stack saved as ``result.txt`` was silently replaced."""

import pytest

from insitu_tem.io.outputs import OutputError, check_output


def _mrc() -> bytes:
    head = bytearray(1024)
    head[208:212] = b"MAP "
    return bytes(head)


NEWLY_PROTECTED = {
    "EMSA/MSA spectrum": b"#FORMAT      : EMSA/MAS Spectral Data File\r\n#VERSION : 1.0\r\n",
    "NanoMegas blockfile": b"IMGBLOCKFILE" + bytes(500),
    "Bruker bcf": b"AAMVHFSS" + bytes(500),
    "TIA series": b"II\x97\x01" + bytes(500),
    "MRC stack": _mrc(),
}


@pytest.mark.parametrize("name", ["result.txt", "result.out", "result"])
@pytest.mark.parametrize("kind", sorted(NEWLY_PROTECTED))
def test_a_raw_file_under_any_name_needs_force(tmp_path, kind, name):
    target = tmp_path / name
    target.write_bytes(NEWLY_PROTECTED[kind])
    with pytest.raises(OutputError, match=r"raw data \(a microscope data file\).*--force"):
        check_output(target)
    assert check_output(target, force=True) == target.resolve()
    assert target.read_bytes() == NEWLY_PROTECTED[kind]


def test_a_text_file_of_ours_or_nobody_s_is_replaced_without_force(tmp_path):
    plain = tmp_path / "result.txt"
    plain.write_text("frame,shift_px\n0,0.1\n")
    assert check_output(plain) == plain.resolve()
