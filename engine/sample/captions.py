"""Captions that say what a sample picture shows, built from its visible objects.

The grammar is small and regular on purpose, so that tests (and anyone
checking a captioning model on the sample) can parse a caption back:

    caption := group REL group [" and " group] | group " and " group
             | group " on a " ("plain" | "gradient") " background"
    group   := COUNT COLOUR SHAPE[s] | COUNT ("person" | "people")
    REL     := "left of" | "right of" | "above" | "below"

Every caption of a picture with people mentions all of them ("two people");
a shape group counts all visible shapes of that colour and kind. Relations
compare the groups' mean mask centroids.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COUNT_WORDS = ["no", "a", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
RELATIONS = ("left of", "right of", "above", "below")


@dataclass(frozen=True)
class Mention:
    """One visible object: what it is and where its visible pixels are centred."""
    category: str  # "person" or a shape kind
    color: str
    x: float
    y: float
    area: float


@dataclass(frozen=True)
class _Group:
    phrase: str
    x: float
    y: float


def _count_word(n: int, next_word: str) -> str:
    word = COUNT_WORDS[n] if n < len(COUNT_WORDS) else str(n)
    return "an" if word == "a" and next_word[0] in "aeiou" else word


def shape_phrase(color: str, kind: str, n: int) -> str:
    return f"{_count_word(n, color)} {color} {kind}{'s' if n > 1 else ''}"


def people_phrase(n: int) -> str:
    return f"{_count_word(n, 'person')} {'person' if n == 1 else 'people'}"


def relation(a: _Group, b: _Group) -> str:
    """Where a is relative to b, along the axis where they differ most."""
    dx, dy = a.x - b.x, a.y - b.y
    if abs(dx) >= abs(dy):
        return "left of" if dx < 0 else "right of"
    return "above" if dy < 0 else "below"


def _group(phrase: str, members: list[Mention]) -> _Group:
    return _Group(phrase, float(np.mean([m.x for m in members])), float(np.mean([m.y for m in members])))


def _shape_groups(mentions: list[Mention]) -> list[_Group]:
    by_key: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        if m.category != "person":
            by_key.setdefault((m.color, m.category), []).append(m)
    # The most visible group leads the caption, as a person describing it would.
    keys = sorted(by_key, key=lambda k: (-sum(m.area for m in by_key[k]), k))
    return [_group(shape_phrase(color, kind, len(by_key[(color, kind)])), by_key[(color, kind)])
            for color, kind in keys]


def make_caption(mentions: list[Mention], background_kind: str, rng: np.random.Generator) -> str:
    people = [m for m in mentions if m.category == "person"]
    groups = _shape_groups(mentions)
    person = _group(people_phrase(len(people)), people) if people else None
    on_background = f" on a {background_kind} background"

    options: list[str] = []
    if person and groups:
        g = groups[0]
        options += [f"{g.phrase} {relation(g, person)} {person.phrase}",
                    f"{person.phrase} {relation(person, g)} {g.phrase}"]
        if len(groups) > 1:
            g2 = groups[1]
            options.append(f"{g.phrase} {relation(g, g2)} {g2.phrase} and {person.phrase}")
    elif person:
        options.append(person.phrase + on_background)
    elif len(groups) > 1:
        g, g2 = groups[0], groups[1]
        options += [f"{g.phrase} {relation(g, g2)} {g2.phrase}", f"{g.phrase} and {g2.phrase}"]
    elif groups:
        options.append(groups[0].phrase + on_background)
    else:
        options.append("an empty" + on_background[len(" on a"):])
    return options[int(rng.integers(len(options)))]
