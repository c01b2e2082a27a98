"""Instance edits: create, update (merging drags), delete."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from app.commands.base import CommandContext, StoreCommand
from engine.model import Instance

UPDATE_ID = 1001  # QUndoCommand.id(): only commands with the same id are offered for merging


def same_content(a: Instance, b: Instance) -> bool:
    """Equal apart from timestamps: a drag that ends where it began is no edit."""
    ja, jb = a.to_json(), b.to_json()
    for key in ("created_at", "updated_at"):
        ja.pop(key, None)
        jb.pop(key, None)
    return ja == jb


class AddInstance(StoreCommand):
    """Undo deletes it; redo re-creates it with the same id (and created_at)."""

    def __init__(self, ctx: CommandContext, instance: Instance, text: str = "Add instance"):
        super().__init__(ctx, text)
        self.instance = instance

    @property
    def instance_id(self) -> int | None:
        return self.instance.id

    def apply(self) -> None:
        self.instance = self.store.add_instance(self.instance, self.author)

    def revert(self) -> None:
        self.store.delete_instance(self.instance.id, self.author)


class UpdateInstance(StoreCommand):
    """``before`` and ``after`` are full snapshots; undo writes ``before`` back.

    Consecutive updates of one instance with the same non-empty ``merge_key``
    merge (one undo step per drag gesture): the surviving command keeps the first
    ``before`` and takes the latest ``after``. A gesture that returns to where it
    started makes the command obsolete and Qt drops it.
    """

    def __init__(self, ctx: CommandContext, before: Instance, after: Instance,
                 merge_key: str | None = None, text: str = "Edit instance", *, applied: bool = False):
        super().__init__(ctx, text, applied=applied)
        if before.id is None or before.id != after.id:
            raise ValueError("UpdateInstance: before and after must be the same stored instance")
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def apply(self) -> None:
        self.store.update_instance(self.after, self.author)

    def revert(self) -> None:
        self.store.update_instance(self.before, self.author)

    def id(self) -> int:
        return UPDATE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 — Qt's name
        if not isinstance(other, UpdateInstance) or not self.merge_key:
            return False
        if other.merge_key != self.merge_key or other.after.id != self.after.id:
            return False
        self.after = other.after
        if same_content(self.before, self.after):
            self.setObsolete(True)
        return True


class DeleteInstance(StoreCommand):
    def __init__(self, ctx: CommandContext, instance: Instance, text: str = "Delete instance"):
        super().__init__(ctx, text)
        self.instance = instance

    def apply(self) -> None:
        self.instance = self.store.delete_instance(self.instance.id, self.author)

    def revert(self) -> None:
        self.store.add_instance(self.instance, self.author)
