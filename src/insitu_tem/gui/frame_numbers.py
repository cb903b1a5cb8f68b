"""Frame numbers as the user reads them: counted from 1, as Fiji's slice numbers, in every
widget and text of the GUI. The session, the workflows and the CSV files keep the 0-based frame
index (the CLI's ``frame`` column); only what is shown adds :data:`FIRST_FRAME`."""

FIRST_FRAME = 1
"""The number the GUI shows for frame index 0."""


def frame_number(index: int) -> int:
    """The number shown for frame ``index`` (0-based)."""
    return int(index) + FIRST_FRAME


def frame_index(number: int) -> int:
    """The frame index (0-based) of the shown number ``number``."""
    return int(number) - FIRST_FRAME


def numbers_text(indices, *, most: int = 10) -> str:
    """The shown numbers of the frames ``indices`` (0-based), comma-separated: the first
    ``most`` and, beyond them, how many there are in all ("3, 8, … (14 frames)")."""
    numbers = [str(frame_number(i)) for i in indices]
    if len(numbers) <= most:
        return ", ".join(numbers)
    return f"{', '.join(numbers[:most])}, … ({len(numbers)} frames)"
