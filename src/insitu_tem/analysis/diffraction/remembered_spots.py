"""Spot detection over a whole scan, remembered for the scans analysed last (the NBD panel and
across-the-front analyse the same scan against other references)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

from insitu_tem.analysis.diffraction.disks import Spots
from insitu_tem.analysis.diffraction.scan_spots import detect_scan_spots

_DETECTED: OrderedDict[bytes, list[Spots]] = OrderedDict()
_DETECTING: dict[bytes, threading.Event] = {}
_DETECTED_LOCK = threading.Lock()
_DETECTED_KEEP = 2


def _detection_key(data: np.ndarray, centres: np.ndarray, disk_radius_px: float, method: str):
    digest = hashlib.blake2b(digest_size=20)
    for part in (np.ascontiguousarray(data), np.ascontiguousarray(centres, dtype=float)):
        digest.update(repr((part.shape, part.dtype.str)).encode())
        digest.update(part.data)
    digest.update(repr((float(disk_radius_px), method)).encode())
    return digest.digest()


def _remembered(key: bytes) -> list[Spots] | None:
    with _DETECTED_LOCK:
        if key not in _DETECTED:
            return None
        _DETECTED.move_to_end(key)
        return list(_DETECTED[key])


def detect_remembered(
    data, centres, disk_radius_px: float, method: str, should_stop
) -> list[Spots]:
    """Spots of every pattern; the last :data:`_DETECTED_KEEP` complete scans are remembered by
    content (the NBD panel and across-the-front analyse the same scan with other references), and
    a second thread asking for a scan being detected waits for it instead of repeating it."""
    key = _detection_key(data, centres, disk_radius_px, method)
    with _DETECTED_LOCK:
        running = _DETECTING.get(key)
        if running is None and key not in _DETECTED:
            _DETECTING[key] = threading.Event()
    if running is not None:
        while not running.wait(0.05):
            if should_stop is not None and should_stop():
                return []
    found = _remembered(key)
    if found is not None:
        return found
    try:
        spot_sets = detect_scan_spots(
            data, centres, disk_radius_px=disk_radius_px, method=method, should_stop=should_stop
        )
        if len(spot_sets) == len(data):
            with _DETECTED_LOCK:
                _DETECTED[key] = list(spot_sets)
                while len(_DETECTED) > _DETECTED_KEEP:
                    _DETECTED.popitem(last=False)
    finally:
        with _DETECTED_LOCK:
            done = _DETECTING.pop(key, None)
        if done is not None:
            done.set()
    return spot_sets
