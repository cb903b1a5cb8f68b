"""The one error reporter's messages name the file an error concerns."""

from insitu_tem.gui.errors import describe
from insitu_tem.io.outputs import OutputError


def test_an_os_error_names_its_file_once():
    error = FileNotFoundError(2, "No such file or directory", "/data/run 7/movie.tif")
    assert describe(error).message == "movie.tif: No such file or directory"


def test_an_output_error_names_its_file():
    message = describe(OutputError("/data/m.tif", "is an input of this run")).message
    assert message == "m.tif: is an input of this run"


def test_a_message_that_already_names_the_file_is_not_prefixed_again():
    error = OutputError("/data/m.tif", "m.tif is locked")
    assert describe(error).message == "m.tif is locked"
