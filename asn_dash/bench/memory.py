"""A process's own peak memory, for the bench parts and the memory tests."""

from __future__ import annotations


def peak_rss_mb() -> float:
    """This process's own peak resident memory (MB). Linux keeps ``ru_maxrss`` across ``exec``,
    so a child started from a large process (pytest, the bench) would report its parent's size;
    ``VmHWM`` belongs to the process's own address space."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
