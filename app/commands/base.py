"""The command base: store writes in one transaction, failures reported, not lost.

Qt calls redo()/undo() from C++, where a Python exception would be printed and
swallowed. So a command catches, reports the error to its context (the document
raises it to the caller of push, or emits it for menu-driven undo/redo) and
marks itself obsolete: Qt then drops it from the stack, and the rolled-back
transaction means the store holds exactly what it held before.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401 — before any Qt call; see the module

import logging
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoCommand

from engine.store import ProjectStore

log = logging.getLogger(__name__)


@dataclass
class CommandContext:
    store: ProjectStore
    author: str
    errors: list[Exception] = field(default_factory=list)

    def report(self, exc: Exception) -> None:
        log.error("edit failed: %s", exc)
        self.errors.append(exc)


class StoreCommand(QUndoCommand):
    """Subclasses implement ``apply()`` and ``revert()``; both may raise.

    ``applied=True`` says the edit is already in the store (an edit committed
    before the command was built): the redo() Qt runs on push then writes nothing.
    """

    def __init__(self, ctx: CommandContext, text: str, *, applied: bool = False):
        super().__init__(text)
        self.ctx = ctx
        self._skip_redo = applied

    @property
    def store(self) -> ProjectStore:
        return self.ctx.store

    @property
    def author(self) -> str:
        return self.ctx.author

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step) -> None:
        try:
            with self.store.transaction():
                step()
        except Exception as exc:  # noqa: BLE001 — reported, see module docstring
            self.ctx.report(exc)
            self.setObsolete(True)


class MacroCommand(StoreCommand):
    """Several edits as one undo step, committed in one transaction (all or nothing).

    Qt's beginMacro()/endMacro() would run each child in its own transaction;
    a failure half-way would then leave half the selection edited.
    """

    def __init__(self, ctx: CommandContext, text: str, children: list[StoreCommand]):
        super().__init__(ctx, text)
        self.children = list(children)

    def apply(self) -> None:
        for child in self.children:
            child.apply()

    def revert(self) -> None:
        for child in reversed(self.children):
            child.revert()
