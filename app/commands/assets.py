"""Asset review state (e.g. marking an image verified) as an undoable edit."""
from __future__ import annotations

from app.commands.base import CommandContext, StoreCommand
from engine.model import AssetState


class SetAssetState(StoreCommand):
    def __init__(self, ctx: CommandContext, asset_id: int, before: AssetState, after: AssetState,
                 text: str = "Set asset state"):
        super().__init__(ctx, text)
        self.asset_id = asset_id
        self.before = AssetState(before)
        self.after = AssetState(after)

    def apply(self) -> None:
        self.store.set_asset_state(self.asset_id, self.after, self.author)

    def revert(self) -> None:
        self.store.set_asset_state(self.asset_id, self.before, self.author)
