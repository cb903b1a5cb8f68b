"""Batch pipelines on a dask LocalCluster: results per file, a bad file, resume."""

import json
import textwrap

import numpy as np
import pytest
import tifffile
from dask.distributed import Client, LocalCluster

from insitu_tem.cli.batch import load_pipeline, run_pipeline
from insitu_tem.cli.main import main


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture
def pipeline_file(tmp_path):
    rng = np.random.default_rng(5)
    texture = rng.integers(0, 2000, size=(96, 96)).astype(np.uint16)
    for i in range(3):
        movie = np.stack(
            [np.roll(texture, (k * (i + 1), 0), axis=(0, 1))[8:72, 8:72] for k in range(4)]
        )
        tifffile.imwrite(
            tmp_path / f"movie_{i}.tif",
            movie,
            imagej=True,
            resolution=(1.0, 1.0),
            metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
        )
    (tmp_path / "movie_bad.tif").write_bytes(b"II*\x00" + b"\x00" * 40)
    path = tmp_path / "pipeline.toml"
    path.write_text(
        textwrap.dedent("""
        [pipeline]
        name = "describe"
        inputs = ["movie_*.tif"]
        output = "results"

        [[step]]
        command = "info"
        args = ["--scale", "0.5", "--units", "nm"]

        [[step]]
        command = "drift"
        args = ["--reference", "first"]
    """)
    )
    return path


def test_pipeline_runs_every_file_and_survives_a_bad_one(pipeline_file, client):
    pipeline = load_pipeline(pipeline_file)
    outcomes = run_pipeline(pipeline, client)
    status = {o.path.rsplit("/", 1)[-1]: o.status for o in outcomes}
    assert status == {
        "movie_0.tif": "done",
        "movie_1.tif": "done",
        "movie_2.tif": "done",
        "movie_bad.tif": "failed",
    }
    info = json.loads((pipeline.output / "movie_1" / "info.json").read_text())
    assert info["shape"] == [4, 64, 64] and info["axes"][2]["scale"] == 0.5
    drift = json.loads((pipeline.output / "movie_1" / "drift.json").read_text())
    np.testing.assert_allclose(np.abs(np.array(drift["shifts_px"])[:, 0]), [0, 2, 4, 6], atol=0.05)
    provenance = json.loads((pipeline.output / "movie_1" / "provenance.json").read_text())
    assert provenance["steps"][0] == {
        "command": "info",
        "args": ["--scale", "0.5", "--units", "nm"],
    }
    assert (
        "cannot be read"
        in json.loads((pipeline.output / "movie_bad" / "error.json").read_text())["error"]
    )


def test_pipeline_resumes_after_an_interruption(pipeline_file, client):
    pipeline = load_pipeline(pipeline_file)
    run_pipeline(pipeline, client)
    (pipeline.output / "movie_2" / "done.json").unlink()
    outcomes = run_pipeline(pipeline, client)
    status = {o.path.rsplit("/", 1)[-1]: o.status for o in outcomes}
    assert status["movie_0.tif"] == status["movie_1.tif"] == "skipped"
    assert status["movie_2.tif"] == "done" and status["movie_bad.tif"] == "failed"


def test_batch_cli_on_an_existing_scheduler(pipeline_file, client, capsys):
    code = main(["batch", str(pipeline_file), "--scheduler", client.scheduler.address, "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["done"] == 3 and len(summary["failed"]) == 1


def test_bad_pipelines_are_one_line_errors(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text('[pipeline]\ninputs = ["*.tif"]\n[[step]]\ncommand = "teleport"\n')
    assert main(["batch", str(path)]) == 2
    assert "is not a per-file command" in capsys.readouterr().err
    path.write_text("[pipeline\n")
    assert main(["batch", str(path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_a_failed_file_says_which_step_failed_and_why_in_the_cli_s_words(tmp_path):
    """Before: 'InputError: is an image, but `eels` needs …' (a class name, and no word of
    which of the steps failed)."""
    from insitu_tem.cli.batch import Step, run_steps

    np.save(tmp_path / "pattern.npy", np.ones((16, 16), np.float32))
    outcome = run_steps(
        str(tmp_path / "pattern.npy"), (Step("info"), Step("eels")), str(tmp_path / "out")
    )
    expected = "eels: is an image, but `eels` needs a spectrum or spectrum_series"
    assert outcome.status == "failed" and outcome.error == expected
    assert json.loads((tmp_path / "out" / "error.json").read_text())["error"] == expected
    outcome = run_steps(
        str(tmp_path / "pattern.npy"), (Step("radial", ("--bins", "0")),), str(tmp_path / "o2")
    )
    assert outcome.error == "radial: --bins 0 must be positive (at most 100000), e.g. --bins 200"
