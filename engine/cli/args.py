"""Argument parsing shared by the sub-commands."""
from __future__ import annotations

from engine.cli.main import UserError


def parse_ids(text: str, option: str) -> list[int]:
    """"1,2,5-8" -> [1, 2, 5, 6, 7, 8]; a bad part names the option."""
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            if "-" in part[1:]:
                first, last = (int(v) for v in part.split("-", 1))
                ids.extend(range(first, last + 1))
            else:
                ids.append(int(part))
        except ValueError:
            raise UserError(f"{option}: {part!r} is not an id or a range like 5-8") from None
    return ids
