"""How much memory a load may use: physical memory, this process's address-space limit."""

from __future__ import annotations

import os
import resource


def total_memory_bytes() -> int:
    """Physical memory of this machine, in bytes."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def memory_budget() -> int:
    """Bytes of decoded data one load may hold in memory: half of the smaller of physical
    memory and this process's address-space limit."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    available = (
        total_memory_bytes()
        if limit in (resource.RLIM_INFINITY, -1)
        else min(limit, total_memory_bytes())
    )
    return int(available) // 2


def human(n_bytes: float) -> str:
    """``1.2 GB`` style size (decimal units)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(n_bytes) < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000.0
    return f"{n_bytes:.1f} TB"
