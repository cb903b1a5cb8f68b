"""Fixtures shared by the command-line tests."""

import json

import pytest

from insitu_tem.samples import movie as sample_movie


@pytest.fixture(scope="session")
def movie_sample(tmp_path_factory):
    """The generated sample movie: (path of the movie file, ground-truth dict from its JSON)."""
    folder = tmp_path_factory.mktemp("movie")
    sample_movie.write(folder)
    truth = json.loads((folder / sample_movie.TRUTH_NAME).read_text())
    return folder / sample_movie.FILE_NAME, truth
