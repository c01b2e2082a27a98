from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.model import Asset, AssetKind, AssetState, Frame, Track
from engine.store import schema as t
from engine.store.errors import RecordNotFound
from engine.store.events import StoreEvent
from engine.store.rows import asset_from_row, asset_to_row, frame_from_row, track_from_row

ORDERINGS = {
    "id": t.assets.c.id,
    "path": t.assets.c.path,
    "state": t.assets.c.state,
}


class AssetMixin:
    def add_asset(self, asset: Asset) -> Asset:
        return self.add_assets([asset])[0]

    def add_assets(self, new_assets: list[Asset]) -> list[Asset]:
        out = []
        with self.transaction() as tx:
            for asset in new_assets:
                result = tx.connection.execute(t.assets.insert().values(**asset_to_row(asset)))
                asset = Asset(**{**asset.__dict__, "id": result.inserted_primary_key[0]})
                out.append(asset)
            if out:
                self._notify(tx, StoreEvent("asset", "added", tuple(a.id for a in out), data=tuple(out)))
        return out

    def asset(self, asset_id: int) -> Asset:
        with self._read() as c:
            row = c.execute(select(t.assets).where(t.assets.c.id == asset_id)).first()
        if row is None:
            raise RecordNotFound("asset", asset_id)
        return asset_from_row(row)

    def asset_by_path(self, path: str) -> Asset | None:
        with self._read() as c:
            row = c.execute(select(t.assets).where(t.assets.c.path == path)).first()
        return None if row is None else asset_from_row(row)

    def assets(self, *, state: AssetState | None = None, kind: AssetKind | None = None,
               ids: list[int] | None = None, order: str = "id", offset: int = 0,
               limit: int | None = None) -> list[Asset]:
        q = select(t.assets)
        if state is not None:
            q = q.where(t.assets.c.state == str(state))
        if kind is not None:
            q = q.where(t.assets.c.kind == str(kind))
        if ids is not None:
            q = q.where(t.assets.c.id.in_(ids))
        q = q.order_by(ORDERINGS[order], t.assets.c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as c:
            return [asset_from_row(r) for r in c.execute(q)]

    def asset_count(self, state: AssetState | None = None) -> int:
        q = select(func.count()).select_from(t.assets)
        if state is not None:
            q = q.where(t.assets.c.state == str(state))
        with self._read() as c:
            return c.execute(q).scalar()

    def asset_ids(self) -> list[int]:
        with self._read() as c:
            return list(c.execute(select(t.assets.c.id).order_by(t.assets.c.id)).scalars())

    def next_asset(self, after_id: int | None = None, *, unreviewed: bool = True) -> Asset | None:
        """The next asset after ``after_id`` (wrapping round) that is not yet verified.

        One index seek per state on (state, id): a ``state != 'verified'`` scan
        would walk every verified asset in a mostly finished project."""
        states = [s for s in AssetState if s != AssetState.VERIFIED] if unreviewed else list(AssetState)
        with self._read() as c:
            for lower in ((after_id,) if after_id is not None else ()) + (None,):
                candidates = []
                for state in states:
                    q = select(t.assets.c.id).where(t.assets.c.state == str(state))
                    if lower is not None:
                        q = q.where(t.assets.c.id > lower)
                    found = c.execute(q.order_by(t.assets.c.id).limit(1)).scalar()
                    if found is not None:
                        candidates.append(found)
                if candidates:
                    return self.asset(min(candidates))
        return None

    def set_asset_state(self, asset_id: int, state: AssetState, author: str = "") -> None:
        with self.transaction() as tx:
            before = self.asset(asset_id)
            if before.state == state:
                return
            tx.connection.execute(t.assets.update().where(t.assets.c.id == asset_id).values(state=str(state)))
            self._log(tx, "asset", asset_id, "update", {"state": str(before.state)}, {"state": str(state)},
                      author, asset_id=asset_id)
            after = Asset(**{**before.__dict__, "state": state})
            self._notify(tx, StoreEvent("asset", "updated", (asset_id,), asset_id=asset_id, data=(after,)))

    def set_asset_split(self, asset_ids: list[int], split: str | None) -> None:
        with self.transaction() as tx:
            tx.connection.execute(t.assets.update().where(t.assets.c.id.in_(asset_ids)).values(split=split))
            self._notify(tx, StoreEvent("asset", "updated", tuple(asset_ids)))

    def resolve(self, asset: Asset) -> Path:
        """The media file of an asset on this machine."""
        path = Path(asset.path)
        return path if path.is_absolute() else self.root / path

    def relative_path(self, media: Path) -> str:
        """How an asset path is stored: relative to the project folder when it can be."""
        media = Path(media).resolve()
        try:
            return media.relative_to(self.root).as_posix()
        except ValueError:
            return media.as_posix()

    # -- frames and tracks (video) ---------------------------------------
    def frames(self, asset_id: int) -> list[Frame]:
        with self._read() as c:
            rows = c.execute(select(t.frames).where(t.frames.c.asset_id == asset_id).order_by(t.frames.c.frame_index))
            return [frame_from_row(r) for r in rows]

    def add_frames(self, new_frames: list[Frame]) -> None:
        if not new_frames:
            return
        with self.transaction() as tx:
            tx.connection.execute(t.frames.insert(), [
                {"asset_id": f.asset_id, "frame_index": f.frame_index, "coco_id": f.coco_id, "file_name": f.file_name}
                for f in new_frames
            ])

    def tracks(self, asset_id: int) -> list[Track]:
        with self._read() as c:
            rows = c.execute(select(t.tracks).where(t.tracks.c.asset_id == asset_id).order_by(t.tracks.c.id))
            return [track_from_row(r) for r in rows]

    def add_track(self, track: Track) -> Track:
        with self.transaction() as tx:
            c = tx.connection
            if track.id is None:
                top = c.execute(select(func.max(t.tracks.c.id))).scalar()
                top_used = c.execute(select(func.max(t.instances.c.track_id))).scalar()
                track = Track(**{**track.__dict__, "id": max(top or 0, top_used or 0) + 1})
            c.execute(t.tracks.insert().values(
                id=track.id, asset_id=track.asset_id, category_id=track.category_id,
                name=track.name, attributes=track.attributes or {},
            ))
            self._notify(tx, StoreEvent("track", "added", (track.id,), asset_id=track.asset_id, data=(track,)))
        return track
