"""A file saved from the window over a raw microscope file is refused with what to do in the
window: choose another file — not the command line's '--force', which the window has no way
to give."""

import pytest

from insitu_tem.gui.guarded_save import save_guarded
from insitu_tem.io.outputs import OutputError


def test_the_refusal_names_no_command_line_option(tmp_path):
    raw = tmp_path / "frame.dm3"
    raw.write_bytes(b"\x00\x00\x00\x03raw")
    before = raw.read_bytes()
    with pytest.raises(OutputError) as refused:
        save_guarded(raw, lambda path: path.write_text("csv"))
    assert "raw data" in str(refused.value) and "choose another file" in str(refused.value)
    assert "--force" not in str(refused.value) and raw.read_bytes() == before
