"""How much of each library thread's stack a process has touched: the high-water mark of
its deepest call, completion callback included (bench/results/profile.md).

For every thread named ``nowgg-payments`` in process PID, the stack pointer where it
waits (``/proc/PID/task/TID/syscall``) locates its stack: from the guard page below it
up to the stack size. ``/proc/PID/pagemap`` says which of those pages are resident; a
page once touched stays resident, so this is the deepest the thread ever went (plus
glibc's thread descriptor and static TLS at the top). Prints one JSON line.

    python3 bench/stack_use.py PID [--stack-kib 256]
"""

from __future__ import annotations

import argparse
import json
import os
import struct

PAGE = os.sysconf("SC_PAGE_SIZE")


def guards(pid: int) -> list[tuple[int, int]]:
    """The process's inaccessible mappings (thread stack guards among them), sorted."""
    out = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            span, perms = line.split()[:2]
            if perms.startswith("---"):
                lo, hi = (int(x, 16) for x in span.split("-"))
                out.append((lo, hi))
    return sorted(out)


def resident_pages(pagemap, lo: int, hi: int) -> int:
    pagemap.seek(lo // PAGE * 8)
    data = pagemap.read((hi - lo) // PAGE * 8)
    return sum(1 for (entry,) in struct.iter_unpack("<Q", data) if entry >> 63)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pid", type=int)
    parser.add_argument("--stack-kib", type=int, default=256)
    parser.add_argument("--name", default="nowgg-payments")
    args = parser.parse_args()
    below = guards(args.pid)
    used = []
    with open(f"/proc/{args.pid}/pagemap", "rb") as pagemap:
        for tid in os.listdir(f"/proc/{args.pid}/task"):
            task = f"/proc/{args.pid}/task/{tid}"
            try:
                with open(f"{task}/comm") as f:
                    if f.read().strip() != args.name:
                        continue
                with open(f"{task}/syscall") as f:
                    fields = f.read().split()
            except OSError:
                continue  # the thread ended meanwhile
            if len(fields) < 9:
                continue  # running, not in a system call: no stack pointer to read
            sp = int(fields[7], 16)
            guard = max((g for g in below if g[1] <= sp), default=None)
            if guard is None:
                continue
            lo = guard[1]
            hi = lo + args.stack_kib * 1024
            used.append(resident_pages(pagemap, lo, hi) * PAGE // 1024)
    used.sort()
    print(
        json.dumps(
            {
                "kind": "stack_use",
                "threads": len(used),
                "stack_kib": args.stack_kib,
                "resident_kib_median": used[len(used) // 2] if used else 0,
                "resident_kib_max": used[-1] if used else 0,
                "resident_kib_total": sum(used),
            }
        )
    )


if __name__ == "__main__":
    main()
