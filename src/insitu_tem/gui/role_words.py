"""What the user reads for the data of a session role: "survey image", not "hrtem"."""

from __future__ import annotations

from pathlib import Path

from insitu_tem.core.model import Dataset
from insitu_tem.io.kinds import is_xray_spectrum

ROLE_WORDS = {
    "movie": "movie",
    "hrtem": "HRTEM image",
    "survey": "survey image",
    "nbd": "NBD patterns",
    "eels": "EELS spectra",
}


def role_words(role: str, dataset: Dataset | None = None) -> str:
    """What ``role`` holds, in words ("survey image"; "image" for a single image in the movie
    role, "EDS spectra" for X-ray spectra in the spectra role)."""
    if role == "movie" and dataset is not None and dataset.kind == "image":
        return "image"
    if role == "eels" and dataset is not None and is_xray_spectrum(dataset):
        return "EDS spectra"
    return ROLE_WORDS.get(role, role)


def data_label(role: str, dataset: Dataset | None) -> str:
    """``role``'s data as a list names it: "Survey image (0.bcf)"."""
    words = role_words(role, dataset)
    name = Path(dataset.source).name if dataset is not None and dataset.source else ""
    label = words[0].upper() + words[1:]
    return f"{label} ({name})" if name else label
