"""When a movie's frames were taken, from the metadata rosettasciio hands over.

* Velox EMD: each frame's detector time stamp (``CustomProperties`` ``Detectors[NAME].TimeStamp``,
  µs since 1970 UTC) in the file's per-frame metadata, else ``Acquisition`` /
  ``AcquisitionStartDatetime`` (s since 1970 UTC). Velox records UTC only.
* DigitalMicrograph: the DataBar's ``Acquisition Date`` and ``Acquisition Time`` (the camera PC's
  local clock, to the second), refined to the sub-second by ``Acquisition Time (OS)`` (a Windows
  FILETIME, 100 ns ticks since 1601 UTC) when present.

Start times are returned as naive ISO 8601 strings on the clock the file records (see
``start_time_clock``): a holder log on another time zone then needs a whole-hour clock offset.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

FILETIME_EPOCH = datetime(1601, 1, 1)
QUARTER_HOUR_S = 900.0
MAX_ZONE_S = 14 * 3600.0


def _nested(tree: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)


def velox_frame_stamps_us(path: Path) -> np.ndarray | None:
    """Each frame's detector time stamp (µs since 1970 UTC) of a Velox image stack, or None."""
    import h5py

    with h5py.File(path, "r") as handle:
        images = handle.get("Data/Image")
        if images is None or len(images) != 1:
            return None
        metadata = next(iter(images.values())).get("Metadata")
        if metadata is None or metadata.ndim != 2:
            return None
        stamps = []
        for column in np.asarray(metadata).T:
            text = bytes(column).rstrip(b"\0").decode("utf-8", "replace")
            properties = json.loads(text).get("CustomProperties", {}) if text else {}
            values = [v.get("value") for k, v in properties.items() if k.endswith("].TimeStamp")]
            if not values:
                return None
            stamps.append(float(values[0]))
    return np.asarray(stamps)


def velox_times(signal: dict, path: Path) -> dict:
    """``start_time`` (UTC) and ``frame_times_s`` of a Velox signal; {} when not recorded."""
    original = signal.get("original_metadata", {})
    try:
        stamps = velox_frame_stamps_us(path) if path.suffix.lower() == ".emd" else None
    except (OSError, ValueError, KeyError):
        stamps = None
    n_frames = int(signal["axes"][0]["size"]) if len(signal["axes"]) == 3 else 1
    if stamps is not None and stamps.size == n_frames:
        start = _utc(stamps[0] / 1e6)
        found = {"start_time": start.isoformat(), "start_time_clock": "UTC"}
        if n_frames > 1:
            found["frame_times_s"] = ((stamps - stamps[0]) / 1e6).tolist()
        return found
    seconds = _nested(original, "Acquisition", "AcquisitionStartDatetime", "DateTime")
    if seconds is None:
        return {}
    return {"start_time": _utc(float(seconds)).isoformat(), "start_time_clock": "UTC"}


def _databar_local(bar: dict) -> datetime | None:
    date, time = bar.get("Acquisition Date"), bar.get("Acquisition Time")
    if not isinstance(date, str) or not isinstance(time, str):
        return None
    for layout in ("%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(f"{date} {time}", layout)
        except ValueError:
            continue
    return None


def digitalmicrograph_times(signal: dict) -> dict:
    """``start_time`` (camera PC local clock) of a DigitalMicrograph image; {} when absent."""
    tags = _nested(signal.get("original_metadata", {}), "ImageList", "TagGroup0", "ImageTags")
    bar = _nested(tags, "DataBar") or {}
    local = _databar_local(bar)
    if local is None:
        return {}
    filetime = bar.get("Acquisition Time (OS)")
    if isinstance(filetime, (int, float)) and filetime > 0:
        utc = FILETIME_EPOCH + timedelta(microseconds=float(filetime) / 10.0)
        zone_s = round((local - utc).total_seconds() / QUARTER_HOUR_S) * QUARTER_HOUR_S
        if abs(zone_s) <= MAX_ZONE_S:
            local = utc + timedelta(seconds=zone_s)
    return {"start_time": local.isoformat(), "start_time_clock": "local"}
