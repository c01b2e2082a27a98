"""Review-state rules: what an edit, an accept or a reject does to an instance's state.

- editing a model prediction that was predicted or accepted -> corrected
  (its before/after is in the corrections log: a training signal);
- accept -> accepted (a human-made or already corrected instance stays as it
  is: it is verified already); accepting a rejected prediction un-rejects it;
- reject -> rejected (kept as a negative for training, hidden by default);
- a human-drawn instance is manual.
"""
from __future__ import annotations

from engine.model import Caption, Instance, ReviewState, Source

_CORRECTABLE = (ReviewState.PREDICTED, ReviewState.ACCEPTED)


def after_edit(before: Instance | Caption, after: Instance | Caption):
    """``after`` with the review state an edit implies, unless the caller set one itself."""
    if after.review_state != before.review_state:
        return after
    if before.source == Source.MODEL and before.review_state in _CORRECTABLE:
        return after.copy(review_state=ReviewState.CORRECTED)
    return after


def accepted(inst: Instance) -> Instance:
    if inst.source == Source.MODEL:
        if inst.review_state in (ReviewState.PREDICTED, ReviewState.REJECTED):
            return inst.copy(review_state=ReviewState.ACCEPTED)
        return inst
    if inst.review_state == ReviewState.REJECTED:
        return inst.copy(review_state=ReviewState.MANUAL)
    return inst


def rejected(inst: Instance) -> Instance:
    if inst.review_state == ReviewState.REJECTED:
        return inst
    return inst.copy(review_state=ReviewState.REJECTED)


def new_manual(inst: Instance, author: str) -> Instance:
    """A freshly drawn instance: human, manual, by this author (unless the caller said otherwise)."""
    if inst.source == Source.MODEL:
        return inst
    return inst.copy(source=Source.HUMAN, review_state=ReviewState.MANUAL, author=inst.author or author)
