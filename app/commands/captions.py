"""Caption edits."""
from __future__ import annotations

from app.commands.base import CommandContext, StoreCommand
from engine.model import Caption


class AddCaption(StoreCommand):
    def __init__(self, ctx: CommandContext, caption: Caption, text: str = "Add caption"):
        super().__init__(ctx, text)
        self.caption = caption

    def apply(self) -> None:
        self.caption = self.store.add_caption(self.caption, self.author)

    def revert(self) -> None:
        self.store.delete_caption(self.caption.id, self.author)


class EditCaption(StoreCommand):
    def __init__(self, ctx: CommandContext, before: Caption, after: Caption, text: str = "Edit caption"):
        super().__init__(ctx, text)
        self.before = before
        self.after = after

    def apply(self) -> None:
        self.store.update_caption(self.after, self.author)

    def revert(self) -> None:
        self.store.update_caption(self.before, self.author)


class DeleteCaption(StoreCommand):
    def __init__(self, ctx: CommandContext, caption: Caption, text: str = "Delete caption"):
        super().__init__(ctx, text)
        self.caption = caption

    def apply(self) -> None:
        self.caption = self.store.delete_caption(self.caption.id, self.author)

    def revert(self) -> None:
        self.store.add_caption(self.caption, self.author)
