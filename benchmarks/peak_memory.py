"""Peak-memory measurement shared by the benchmark scripts (Linux /proc; standard library only,
so the throwaway lifetimes environment can import it too).

Call `reset_peak()` once the input is loaded, run the work, then read `status_kb("VmHWM")`:
the difference is the peak rise the work itself caused.
"""

from __future__ import annotations

import gc


def status_kb(key: str) -> int:
    """A /proc/self/status figure in kB (VmRSS, VmHWM, …)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> int:
    """Collect garbage, reset the peak RSS (VmHWM) to the current RSS, and return that (kB)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return status_kb("VmRSS")
