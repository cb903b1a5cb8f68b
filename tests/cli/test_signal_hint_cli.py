"""A command given the signal of a multi-signal file it cannot use names the signals it can
(before: only what it needed, and `info` listed titles alone: six Velox signals titled EDS)."""

import zipfile

from insitu_tem.cli.main import main


def error_line(capsys, *argv):
    code = main([*map(str, argv), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    return err.strip()


def test_a_command_names_the_signals_it_can_open(capsys, realdata):
    line = error_line(capsys, "lattice", realdata("FFTComplexEven.emd"), "--signal", "0")
    assert line.endswith(
        "is a pattern, but `lattice` needs an image or movie; open --signal 1 (HAADF) of this "
        "file instead"
    )
    line = error_line(capsys, "eels", realdata("edstomo_idp/0.bcf"))
    assert line.endswith("needs a spectrum or spectrum_series"), "the EDS signal is no EELS"


def test_eels_on_a_velox_eds_signal_names_the_eels_signals(capsys, realdata, tmp_path):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.rglob("*.emd")
    line = error_line(capsys, "eels", path)
    assert "holds EDS (X-ray) spectra" in line
    assert line.endswith("; open --signal 14, 15 or 16 of this file instead")
    line = error_line(capsys, "eels", path, "--signal", "9")
    assert line.endswith(
        "is an image, but `eels` needs a spectrum or spectrum_series; open "
        "--signal 14, 15 or 16 of this file instead"
    )


def test_a_single_signal_file_gets_no_hint(capsys, tmp_path):
    import numpy as np

    np.save(tmp_path / "p.npy", np.ones((16, 16), np.float32))
    assert error_line(capsys, "drift", tmp_path / "p.npy").endswith(
        "is an image, but `drift` needs a movie"
    )
