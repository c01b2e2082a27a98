from __future__ import annotations

from sqlalchemy import func, select

from engine.model import Category
from engine.store import schema as t

from engine.store.errors import RecordNotFound
from engine.store.events import StoreEvent
from engine.store.rows import category_from_row, category_to_row, now

# Distinct, readable on photos; new categories cycle through it.
PALETTE = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000",
]


class CategoryMixin:
    def categories(self) -> list[Category]:
        with self._read() as c:
            return [category_from_row(r) for r in c.execute(select(t.categories).order_by(t.categories.c.id))]

    def category(self, category_id: int) -> Category:
        with self._read() as c:
            row = c.execute(select(t.categories).where(t.categories.c.id == category_id)).first()
        if row is None:
            raise RecordNotFound("category", category_id)
        return category_from_row(row)

    def add_category(self, category: Category, author: str = "") -> Category:
        """Insert; ``id`` None takes max + 1 (so new projects start at 1), ``color`` empty takes the palette's next."""
        with self.transaction() as tx:
            c = tx.connection
            if category.id is None:
                top = c.execute(select(func.max(t.categories.c.id))).scalar()
                category = Category(**{**category.__dict__, "id": (top or 0) + 1})
            if not category.color:
                count = c.execute(select(func.count()).select_from(t.categories)).scalar()
                category.color = PALETTE[count % len(PALETTE)]
            c.execute(t.categories.insert().values(**category_to_row(category)))
            self._log(tx, "category", category.id, "create", None, category_to_row(category), author)
            self._notify(tx, StoreEvent("category", "added", (category.id,), data=(category,)))
        return category

    def add_categories(self, categories: list[Category], author: str = "") -> list[Category]:
        """Insert several categories in one statement (a model's 80 classes on its first run);
        a missing ``id`` or ``color`` is chosen as add_category would, in list order."""
        if not categories:
            return []
        with self.transaction() as tx:
            c = tx.connection
            top = c.execute(select(func.max(t.categories.c.id))).scalar() or 0
            count = c.execute(select(func.count()).select_from(t.categories)).scalar()
            added = []
            for k, category in enumerate(categories):
                given = category.id
                if given is None:
                    top += 1
                    given = top
                top = max(top, given)
                added.append(Category(**{**category.__dict__, "id": given,
                                         "color": category.color or PALETTE[(count + k) % len(PALETTE)]}))
            rows = [category_to_row(category) for category in added]
            c.execute(t.categories.insert(), rows)
            stamp = now()
            c.execute(t.corrections.insert(), [
                {"entity": "category", "entity_id": row["id"], "asset_id": None, "action": "create",
                 "before": None, "after": row, "author": author or "", "at": stamp} for row in rows])
            self._notify(tx, StoreEvent("category", "added", tuple(c.id for c in added), data=tuple(added)))
        return added

    def update_category(self, category: Category, author: str = "") -> Category:
        with self.transaction() as tx:
            before = self.category(category.id)
            row = category_to_row(category)
            tx.connection.execute(t.categories.update().where(t.categories.c.id == category.id).values(**row))
            self._log(tx, "category", category.id, "update", category_to_row(before), row, author)
            self._notify(tx, StoreEvent("category", "updated", (category.id,), data=(category,)))
        return category

    def delete_category(self, category_id: int, author: str = "") -> None:
        """Refused by the database (RESTRICT) while instances still use it."""
        with self.transaction() as tx:
            before = self.category(category_id)
            tx.connection.execute(t.categories.delete().where(t.categories.c.id == category_id))
            self._log(tx, "category", category_id, "delete", category_to_row(before), None, author)
            self._notify(tx, StoreEvent("category", "removed", (category_id,)))
