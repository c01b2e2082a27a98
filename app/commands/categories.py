"""Category edits. Undoing an added category fails (and is reported) while
instances use it: the database refuses to orphan them."""
from __future__ import annotations

import copy

from app.commands.base import CommandContext, StoreCommand
from engine.model import Category


class AddCategory(StoreCommand):
    def __init__(self, ctx: CommandContext, category: Category, text: str = "Add category"):
        super().__init__(ctx, text)
        self.category = copy.deepcopy(category)

    def apply(self) -> None:
        # add_category fills in id and colour on first run; later redos keep them.
        self.category = self.store.add_category(copy.deepcopy(self.category), self.author)

    def revert(self) -> None:
        self.store.delete_category(self.category.id, self.author)


class UpdateCategory(StoreCommand):
    def __init__(self, ctx: CommandContext, before: Category, after: Category, text: str = "Edit category"):
        super().__init__(ctx, text)
        self.before = copy.deepcopy(before)
        self.after = copy.deepcopy(after)

    def apply(self) -> None:
        self.store.update_category(copy.deepcopy(self.after), self.author)

    def revert(self) -> None:
        self.store.update_category(copy.deepcopy(self.before), self.author)
