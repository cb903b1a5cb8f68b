"""What a data file holds, told from its first bytes, for files whose extension does not say it:
a .dm3 renamed .tif, an .emd saved as .h5, ``AL-DFoffset0.00`` whose ``.dm3`` was lost in a
transfer. The loader names the format and the extension to give the file instead of trying the
wrong reader or listing every extension it reads."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

_HDF5 = ("an HDF5 file (Velox or Berkeley EMD, HyperSpy)", (".emd", ".hspy", ".hdf5"))
_TIFF = ("a TIFF file", (".tif", ".tiff"))
_MAGICS = (
    (b"\x89HDF\r\n\x1a\n", *_HDF5),
    (b"II*\x00", *_TIFF),
    (b"MM\x00*", *_TIFF),
    (b"II+\x00", *_TIFF),
    (b"MM\x00+", *_TIFF),
    (b"\x00\x00\x00\x03", "a DigitalMicrograph 3 file", (".dm3",)),
    (b"\x00\x00\x00\x04", "a DigitalMicrograph 4 file", (".dm4",)),
    (b"\x93NUMPY", "a numpy array", (".npy",)),
    (b"#FORMAT", "an EMSA/MSA spectrum", (".msa", ".ems", ".emsa", ".mas")),
    (b"IMGBLO", "a NanoMegas blockfile", (".blo",)),
    (b"AAMVHFSS", "a Bruker file", (".bcf",)),
    (b"II\x97\x01", "a TIA series", (".ser",)),
)
"""(first bytes, what the file is, the extensions that open it), the first listed preferred."""
_MRC_MAP = (208, b"MAP ")
"""MRC files carry 'MAP ' at byte 208."""
HEAD_BYTES = 256
"""The first bytes that tell every format of the table."""


def sniff(path: str | Path) -> tuple[str, tuple[str, ...]] | None:
    """The format a file's first bytes show.

    Parameters
    ----------
    path : str or Path
        A readable file.

    Returns
    -------
    (str, tuple of str) or None
        What it is in words (``"a DigitalMicrograph 3 file"``) and the extensions insitu-tem
        opens it by; None when the bytes match no format read by content alone.
    """
    with open(path, "rb") as handle:
        return sniff_head(handle.read(HEAD_BYTES))


def sniff_head(head: bytes) -> tuple[str, tuple[str, ...]] | None:
    """:func:`sniff` of a file's first bytes ``head`` (at least :data:`HEAD_BYTES` of them
    when the file is that long)."""
    for magic, name, suffixes in _MAGICS:
        if head.startswith(magic):
            return name, suffixes
    offset, magic = _MRC_MAP
    if head[offset : offset + len(magic)] == magic:
        return "an MRC file", (".mrc", ".mrcs", ".ali", ".rec")
    return None


def wrong_extension(path: str | Path, *, known: Collection[str]) -> str | None:
    """The message for a file whose content is a format its extension does not name.

    Parameters
    ----------
    path : str or Path
        A readable file.
    known : collection of str
        Extensions (lower case, with the dot) that insitu-tem reads as something: a file ending
        in one (or in any other word, '.h5', '.dat') is renamed to the right one; a name without
        an extension, or ending in digits ('.00'), gets the right one appended.

    Returns
    -------
    str or None
        ``is a TIFF file, not what its extension '.dm3' says; rename it to end in .tif``, or
        ``is a DigitalMicrograph 3 file without the extension .dm3 (it ends in '.00'); rename it
        AL-DFoffset0.00.dm3``; None when the extension fits or the content is not recognised.
    """
    path = Path(path)
    found = sniff(path)
    if found is None or path.suffix.lower() in found[1]:
        return None
    name, suffixes = found
    word = path.suffix[1:]
    if path.suffix.lower() in known or (word.isalnum() and not word.isdigit()):
        return (
            f"is {name}, not what its extension '{path.suffix}' says; rename it to end in "
            f"{' or '.join(suffixes[:2])}"
        )
    ending = f"it ends in '{path.suffix}'" if path.suffix else "it has no extension"
    return (
        f"is {name} without the extension {' or '.join(suffixes[:2])} ({ending}); rename it "
        f"{path.name}{suffixes[0]}"
    )
