"""Every command that reads a file gets every kind of bad input: one clean line, exit 2, never a
crash."""

import argparse

import numpy as np
import pytest

from insitu_tem.cli.main import main
from insitu_tem.cli.parsing import COMMANDS, build_command_parser, command_parser

REQUIRED_VALUES = {"line": "0,0,10,0", "out": "out.png", "phase": "W", "grain_size": "3"}


def file_commands() -> list[tuple[str, argparse.ArgumentParser]]:
    parser = build_command_parser()
    found = []
    for name in sorted(COMMANDS):
        child = command_parser(parser, name)
        if any(action.dest == "file" for action in child._actions):
            found.append((name, child))
    return found


def required_options(child: argparse.ArgumentParser, folder) -> list[str]:
    extra = []
    for action in child._actions:
        if action.required and action.option_strings:
            value = REQUIRED_VALUES.get(action.dest, "1")
            extra += [
                action.option_strings[-1],
                str(folder / value) if action.dest == "out" else value,
            ]
    for group in child._mutually_exclusive_groups:
        if group.required:
            extra += [group._group_actions[0].option_strings[-1], "1"]
    return extra


def bad_inputs(folder):
    (folder / "empty.dm3").write_bytes(b"")
    (folder / "noise.dm3").write_bytes(np.random.default_rng(0).bytes(3000))
    (folder / "noise.emd").write_bytes(b"\x89HDF\r\n\x1a\n" + np.random.default_rng(1).bytes(3000))
    (folder / "cut.tif").write_bytes(b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20)
    (folder / "x.itproj").write_text("{not json")
    np.save(folder / "nan.npy", np.full((8, 8), np.nan))
    np.save(folder / "spectrum.npy", np.ones(64))
    np.save(folder / "one_frame.npy", np.ones((1, 16, 16)))
    np.save(folder / "tiny.npy", np.ones((2, 2)))
    return [
        "absent.dm3",
        "empty.dm3",
        "noise.dm3",
        "noise.emd",
        "cut.tif",
        "x.itproj",
        "nan.npy",
        "spectrum.npy",
        "one_frame.npy",
        "tiny.npy",
        ".",
    ]


FILE_COMMANDS = file_commands()


@pytest.mark.parametrize("name, child", FILE_COMMANDS, ids=[c[0] for c in FILE_COMMANDS])
def test_command_survives_every_bad_input(name, child, tmp_path, capsys):
    for bad in bad_inputs(tmp_path):
        path = tmp_path / bad if bad != "." else tmp_path
        code = main([name, str(path), *required_options(child, tmp_path), "--json", "--quiet"])
        captured = capsys.readouterr()
        assert code in (0, 2), f"{name} {bad}: exit {code}: {captured.err}"
        assert "Traceback" not in captured.err
        if code == 2:
            lines = captured.err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("insitu-tem: error: "), (
                f"{name} {bad}: {captured.err}"
            )
            assert captured.out == ""


@pytest.mark.parametrize("shape", [(1, 1), (1, 500), (4, 1, 1)])
def test_pattern_commands_refuse_patterns_too_small_to_measure(shape, tmp_path, capsys):
    np.save(tmp_path / "small.npy", np.ones(shape, np.float32))
    for name in ("radial", "diffraction", "nbd"):
        code = main(
            [
                name,
                str(tmp_path / "small.npy"),
                "--kind",
                "pattern_series" if len(shape) == 3 else "pattern",
                "--quiet",
            ]
        )
        err = capsys.readouterr().err
        refused = ("at least 8 × 8", "needs a", "not an image or a stack of images")
        assert code == 2 and any(reason in err for reason in refused), f"{name}: {err}"


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e308])
def test_pattern_commands_refuse_unreadable_pixels_with_what_to_do(value, tmp_path, capsys):
    patterns = np.random.default_rng(0).poisson(50.0, (3, 32, 32)).astype(np.float64)
    patterns[1, 5, 7] = value
    np.save(tmp_path / "patterns.npy", patterns)
    for name, kind, path in (
        ("radial", "pattern", "pattern.npy"),
        ("diffraction", "pattern", "pattern.npy"),
        ("nbd", "pattern_series", "patterns.npy"),
    ):
        if path == "pattern.npy":
            np.save(tmp_path / path, patterns[1])
        code = main(
            [
                name,
                str(tmp_path / path),
                "--kind",
                kind,
                "--scale",
                "0.05",
                "--units",
                "1/nm",
                "--quiet",
            ]
        )
        err = capsys.readouterr().err
        assert code == 2, f"{name}: {err}"
        assert err.count("\n") == 1 and "holds 1 NaN, infinite or overflowing" in err, err
        assert "replace them" in err
