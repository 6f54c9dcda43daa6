#!/usr/bin/env python3
"""Fails when text is pasted between the repository's Markdown docs: 20 or more
consecutive non-blank lines that appear in two of them (README.md, */README.md,
docs/*.md, CHANGELOG.md). Text wanted in several places is linked or generated instead.

Generated regions are compared too: `cargo xtask codegen` writes each README's error
table in its own language's names, so no two are alike. Not compared: fenced code blocks
shorter than 20 lines (the same short command may well be shown twice).

    python3 scripts/check-docs.py        # exit 1 naming each pasted block, else 0

Standard library only; run by scripts/test.sh.
"""

from __future__ import annotations

import hashlib
import re
import sys
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN = 20  # consecutive non-blank lines that make a paste
FENCE = re.compile(r"^\s*(```|~~~)")


def docs() -> list[Path]:
    """The Markdown docs compared, in a stable order."""
    found = {REPO / "README.md", REPO / "CHANGELOG.md"}
    found.update(REPO.glob("*/README.md"))
    found.update(REPO.glob("docs/*.md"))
    return sorted(path for path in found if path.is_file())


def compared_lines(text: str) -> list[tuple[int, str]]:
    """The (line number, text) of each non-blank line outside short fenced blocks,
    whitespace at both ends dropped."""
    kept: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            end = i + 1
            while end < len(lines) and not FENCE.match(lines[end]):
                end += 1
            block = range(i, min(end, len(lines) - 1) + 1)
            if end - i - 1 >= RUN:
                kept.extend((n + 1, lines[n].strip()) for n in block if lines[n].strip())
            i = end + 1
            continue
        if line.strip():
            kept.append((i + 1, line.strip()))
        i += 1
    return kept


def windows(lines: list[tuple[int, str]]) -> dict[bytes, list[int]]:
    """Each run of RUN consecutive compared lines, by digest: where it starts."""
    found: dict[bytes, list[int]] = {}
    for start in range(len(lines) - RUN + 1):
        text = "\n".join(line for _, line in lines[start : start + RUN])
        found.setdefault(hashlib.sha1(text.encode()).digest(), []).append(start)
    return found


def pastes(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> list[tuple[int, int, int, int]]:
    """The blocks of at least RUN lines that a and b share, each as its first and last
    line number in a, then in b; a block longer than RUN is reported once."""
    in_b = windows(b)
    starts = sorted(
        (i, j)
        for digest, found in windows(a).items()
        if digest in in_b
        for i in found
        for j in in_b[digest]
    )
    covered: set[tuple[int, int]] = set()
    blocks = []
    for i, j in starts:
        if (i, j) in covered:
            continue
        length = RUN
        while i + length < len(a) and j + length < len(b) and a[i + length][1] == b[j + length][1]:
            length += 1
        covered.update((i + k, j + k) for k in range(length - RUN + 1))
        blocks.append((a[i][0], a[i + length - 1][0], b[j][0], b[j + length - 1][0]))
    return blocks


def main() -> int:
    compared = {path: compared_lines(path.read_text(encoding="utf-8")) for path in docs()}
    found = 0
    for (path_a, a), (path_b, b) in combinations(compared.items(), 2):
        for a_first, a_last, b_first, b_last in pastes(a, b):
            found += 1
            print(
                f"{path_a.relative_to(REPO)}:{a_first}-{a_last} is pasted in "
                f"{path_b.relative_to(REPO)}:{b_first}-{b_last}: link to one or generate both",
                file=sys.stderr,
            )
    if found:
        print(f"check-docs: {found} pasted blocks of {RUN}+ lines", file=sys.stderr)
        return 1
    print(f"check-docs: no block of {RUN}+ lines in two of {len(compared)} docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
