"""Undoable edits. Each command writes to the store in redo() and undo() (every
write commits with provenance and a corrections-log row); views never hear from
a command, they redraw from the document's signals, which follow the store."""
from app.commands.assets import SetAssetState
from app.commands.base import CommandContext, MacroCommand, StoreCommand
from app.commands.captions import AddCaption, DeleteCaption, EditCaption
from app.commands.categories import AddCategory, UpdateCategory
from app.commands.instances import AddInstance, DeleteInstance, UpdateInstance

__all__ = [
    "CommandContext", "StoreCommand", "MacroCommand",
    "AddInstance", "UpdateInstance", "DeleteInstance",
    "AddCaption", "EditCaption", "DeleteCaption",
    "AddCategory", "UpdateCategory", "SetAssetState",
]
