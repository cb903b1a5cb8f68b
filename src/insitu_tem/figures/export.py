"""Save figures as PNG/TIFF (chosen DPI) or SVG/PDF (vector) with provenance metadata."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insitu_tem import __version__
from insitu_tem.figures.frame import FrameView, render_frame
from insitu_tem.io.outputs import output_file

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = (".png", ".tif", ".tiff", ".svg", ".pdf")


def provenance(sources: list[str], parameters: dict[str, Any]) -> dict[str, Any]:
    """What an export records about itself: program, version, sources, parameters, time."""
    return {
        "program": "insitu-tem",
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": list(sources),
        "parameters": parameters,
    }


def save_figure(
    figure: Figure, path: str | Path, *, dpi: int = 300, record: dict[str, Any]
) -> Path:
    """Save ``figure`` with ``record`` embedded in the file's metadata.

    PNG: a text chunk ``insitu-tem``; PDF: the Subject/Keywords fields; SVG: the
    description; TIFF: the ImageDescription tag.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot export {suffix or 'without a suffix'}; use one of {', '.join(FORMATS)}"
        )
    text = json.dumps(record, sort_keys=True)
    metadata: dict[str, Any]
    if suffix == ".png":
        metadata = {"Software": f"insitu-tem {__version__}", "insitu-tem": text}
    elif suffix == ".pdf":
        metadata = {"Creator": f"insitu-tem {__version__}", "Subject": text}
    elif suffix == ".svg":
        metadata = {"Creator": f"insitu-tem {__version__}", "Description": text}
    else:
        metadata = {"description": text}
    kwargs = {"pil_kwargs": metadata} if suffix in (".tif", ".tiff") else {"metadata": metadata}
    with output_file(path) as temporary:
        figure.savefig(temporary, dpi=dpi, **kwargs)
    return path


def frame_figure(
    view: FrameView, *, pixels_per_image_pixel: float = 1.0, dpi: int = 300
) -> tuple[Figure, dict]:
    """A figure showing exactly the frame (no margins) at a fixed zoom.

    With ``pixels_per_image_pixel`` = z, a PNG saved at ``dpi`` has z output pixels
    per data pixel, so the bar length in pixels is ``length / scale * z``.
    """
    from matplotlib.figure import Figure

    rows, cols = view.frame.shape
    figure = Figure(
        figsize=(cols * pixels_per_image_pixel / dpi, rows * pixels_per_image_pixel / dpi), dpi=dpi
    )
    ax = figure.add_axes((0, 0, 1, 1))
    drawn = render_frame(ax, view)
    return figure, drawn
