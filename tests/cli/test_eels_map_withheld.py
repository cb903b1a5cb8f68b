"""EELS_STO.dm3's O K rises 8.5 eV below the table (the file's energy axis is off): the map of
windows placed from the table is null with why, the user's windows give it, and the text output
prints every reason whole (it used to cut the calibration hint with "...")."""

import json

from insitu_tem.cli.main import _text_lines, main


def _run(capsys, *argv):
    code = main(["eels", *map(str, argv), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_the_map_off_the_edge_is_null_with_why_and_the_text_shows_every_reason_whole(
    capsys, realdata
):
    path = realdata("EELS_STO.dm3")
    doc = json.loads(_run(capsys, path, "--edge", "O-K", "--json"))
    assert doc["maps"] == {"O-K": [None]} and doc["maps_sigma"] == {"O-K": [None]}
    assert doc["map_ok"] is False and "the edge rises at 523." in doc["map_reason"]
    assert doc["background_window_eV"] == [481.36, 521.36]
    text = _run(capsys, path, "--edge", "O-K")
    assert "..." not in text and "check the energy calibration" in " ".join(text.split())
    lines = text.splitlines()
    reason = lines[lines.index("edge_reason:") + 1 :]
    assert reason[0].startswith("  no edge of O-K") and max(map(len, reason[:4])) <= 100


def test_the_user_s_windows_about_the_rise_give_a_map(capsys, realdata):
    argv = ("--edge", "O-K", "--window", "523,533", "--background", "490,519", "--json")
    doc = json.loads(_run(capsys, realdata("EELS_STO.dm3"), *argv))
    assert doc["map_ok"] is True and doc["map_reason"] == ""
    assert doc["maps"]["O-K"][0] > 10 * doc["maps_sigma"]["O-K"][0] > 0


def test_a_long_text_is_wrapped_whole_under_its_key():
    reason = " ".join(f"word{i}" for i in range(80))
    lines = _text_lines("edge_reason", reason)
    assert lines[0] == "edge_reason:" and all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines[1:]) == reason
    assert max(len(line) for line in lines) <= 100
