"""COCO images and videos <-> project assets and frames.

``plan_media`` runs before the import's transaction: it resolves every
``file_name`` to an asset path, checks the files exist, and checks an image
already in the project (same path) has the size the file says. ``write_assets``
then adds what is new, inside the transaction, and returns where each COCO
image id lands: (asset id, frame index).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from engine.coco.errors import CocoFormatError, record_name
from engine.coco.reader import CocoData
from engine.coco.validate import VideoRec
from engine.coco.writer import raw_insert
from engine.model import AssetKind, AssetState
from engine.store import schema as t


ASSET_COLUMNS = ("id", "kind", "path", "width", "height", "fps", "num_frames", "coco_id", "state", "split",
                 "attributes")


@dataclass
class VideoPlan:
    path: str
    width: int
    height: int
    fps: float | None
    num_frames: int


@dataclass
class MediaPlan:
    stills: dict[int, str] = field(default_factory=dict)        # image id -> asset path
    videos: dict[int, VideoPlan] = field(default_factory=dict)  # video id -> its asset


@dataclass
class AssetsWritten:
    added: int = 0
    reused: int = 0
    videos_added: int = 0
    videos_reused: int = 0
    frames_added: int = 0
    warnings: list[str] = field(default_factory=list)


class AssetPaths:
    """``store.relative_path`` for many files: each folder is resolved once, not each file."""

    def __init__(self, store, follow_links: bool):
        self._root = str(store.root)
        self._prefix = self._root.rstrip(os.sep) + os.sep
        self._dirs: dict[str, str] = {}
        self._follow = follow_links

    def __call__(self, media: str) -> str:
        folder, name = os.path.split(media)
        real = self._dirs.get(folder)
        if real is None:
            real = self._dirs[folder] = os.path.realpath(folder)
        if self._follow and os.path.islink(media):
            full = os.path.realpath(media)
        else:
            full = os.path.join(real, name)
        if full.startswith(self._prefix):
            full = full[len(self._prefix):]
        return full.replace(os.sep, "/") if os.sep != "/" else full


def project_assets(connection) -> dict[str, tuple]:
    """path -> (id, kind, width, height, coco_id) of every asset."""
    q = select(t.assets.c.path, t.assets.c.id, t.assets.c.kind, t.assets.c.width, t.assets.c.height,
               t.assets.c.coco_id)
    return {r[0]: tuple(r[1:]) for r in connection.execute(q)}


def plan_media(store, data: CocoData, base: Path, check_files: bool) -> MediaPlan:
    file, base = str(data.path), str(base)
    paths = AssetPaths(store, follow_links=check_files)
    with store._read() as c:
        existing = project_assets(c)
    plan = MediaPlan()
    owner: dict[str, int] = {}
    for image in data.images.values():
        if image.video_id is not None:
            continue
        media = os.path.join(base, image.file_name)
        rec = record_name("images", image.index, {"id": image.id})
        if check_files and not os.path.isfile(media):
            raise CocoFormatError(file, rec, "file_name", f"no such image file: {media}")
        path = paths(media)
        if path in owner:
            raise CocoFormatError(file, rec, "file_name", f"{image.file_name!r} is also image {owner[path]}")
        owner[path] = image.id
        known = existing.get(path)
        if known is not None and (known[2], known[3]) != (image.width, image.height):
            raise CocoFormatError(file, rec, "width", f"{image.width}x{image.height} differs from the project's "
                                  f"asset {path} ({known[2]}x{known[3]})")
        plan.stills[image.id] = path
    frames_of: dict[int, list] = {}
    for image in data.images.values():
        if image.video_id is not None:
            frames_of.setdefault(image.video_id, []).append(image)
    for video in data.videos.values():
        plan.videos[video.id] = _plan_video(file, video, frames_of.get(video.id, []), base, paths, check_files)
    return plan


def _plan_video(file: str, video: VideoRec, frames: list, base: str, paths: AssetPaths,
                check_files: bool) -> VideoPlan:
    media = os.path.join(base, video.file_name)
    rec = record_name("videos", video.index, {"id": video.id})
    width, height, fps, num_frames = video.width, video.height, video.fps, video.num_frames
    if check_files:
        if not os.path.isfile(media):
            raise CocoFormatError(file, rec, "file_name", f"no such video file: {media}")
        if None in (width, height, fps, num_frames):
            from engine.media import MediaError, VideoReader
            try:
                with VideoReader(media) as reader:
                    width, height = width or reader.width, height or reader.height
                    fps, num_frames = fps or reader.fps, num_frames or reader.num_frames
            except MediaError as exc:
                raise CocoFormatError(file, rec, "file_name", str(exc)) from None
    if width is None and frames:
        width, height = frames[0].width, frames[0].height
    if num_frames is None:
        num_frames = max((f.frame_index for f in frames), default=0) + 1
    if width is None or height is None:
        raise CocoFormatError(file, rec, "width", "unknown: give width and height, or frames, or the file")
    return VideoPlan(paths(media), width, height, fps, num_frames)


def write_assets(tx, data: CocoData, plan: MediaPlan) -> tuple[dict[int, tuple[int, int]], AssetsWritten]:
    c = tx.connection
    existing = project_assets(c)
    used = {(kind, coco) for (_id, kind, _w, _h, coco) in existing.values() if coco is not None}
    next_id = max((v[0] for v in existing.values()), default=0) + 1
    out = AssetsWritten()
    new_rows, set_coco = [], []

    unlabeled = str(AssetState.UNLABELED)

    def place(path: str, kind: AssetKind, coco_id: int, width: int, height: int, fps, num_frames: int) -> int:
        nonlocal next_id
        known = existing.get(path)
        if known is not None:
            if known[4] is None and (str(kind), coco_id) not in used:
                set_coco.append((known[0], coco_id))
                used.add((str(kind), coco_id))
            return known[0]
        if (str(kind), coco_id) in used:
            out.warnings.append(f"{path}: {kind} id {coco_id} is already used in the project; an export "
                                "will give this asset a new id")
            coco_id = None
        else:
            used.add((str(kind), coco_id))
        asset_id, next_id = next_id, next_id + 1
        new_rows.append((asset_id, str(kind), path, width, height, fps, num_frames, coco_id, unlabeled, None, "{}"))
        return asset_id

    video_assets = {}
    for vid, video in plan.videos.items():
        before = len(new_rows)
        video_assets[vid] = place(video.path, AssetKind.VIDEO, vid, width=video.width, height=video.height,
                                  fps=video.fps, num_frames=video.num_frames)
        out.videos_added += len(new_rows) - before
    out.videos_reused = len(plan.videos) - out.videos_added
    locations: dict[int, tuple[int, int]] = {}
    for image_id, path in plan.stills.items():
        image = data.images[image_id]
        locations[image_id] = (place(path, AssetKind.IMAGE, image_id, width=image.width, height=image.height,
                                     fps=None, num_frames=1), 0)
    out.added = len(new_rows) - out.videos_added
    out.reused = len(plan.stills) - out.added
    raw_insert(c, t.assets, ASSET_COLUMNS, new_rows)
    for asset_id, coco_id in set_coco:
        c.execute(t.assets.update().where(t.assets.c.id == asset_id).values(coco_id=coco_id))

    frames = [i for i in data.images.values() if i.video_id is not None]
    if frames:
        have = {tuple(r) for r in c.execute(select(t.frames.c.asset_id, t.frames.c.frame_index)
                                            .where(t.frames.c.asset_id.in_(sorted(set(video_assets.values())))))}
        rows = []
        for image in frames:
            asset = video_assets[image.video_id]
            locations[image.id] = (asset, image.frame_index)
            if (asset, image.frame_index) not in have:
                rows.append({"asset_id": asset, "frame_index": image.frame_index, "coco_id": image.id,
                             "file_name": image.file_name})
        if rows:
            c.execute(t.frames.insert(), rows)
        out.frames_added = len(rows)
    return locations, out


def project_images(connection) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """What a results file's image ids refer to: COCO image id -> (width, height), and
    -> (asset id, frame index), for still images and for imported video frames."""
    sizes, locations = {}, {}
    q = select(t.assets.c.coco_id, t.assets.c.id, t.assets.c.width, t.assets.c.height).where(
        t.assets.c.kind == str(AssetKind.IMAGE), t.assets.c.coco_id.is_not(None)).order_by(t.assets.c.id.desc())
    for coco_id, asset_id, w, h in connection.execute(q):
        sizes[coco_id], locations[coco_id] = (w, h), (asset_id, 0)
    q = select(t.frames.c.coco_id, t.frames.c.asset_id, t.frames.c.frame_index, t.assets.c.width,
               t.assets.c.height).join(t.assets, t.assets.c.id == t.frames.c.asset_id).where(
        t.frames.c.coco_id.is_not(None)).order_by(t.frames.c.id.desc())
    for coco_id, asset_id, frame, w, h in connection.execute(q):
        if coco_id not in sizes:
            sizes[coco_id], locations[coco_id] = (w, h), (asset_id, frame)
    return sizes, locations


def set_asset_states(c, asset_ids: set[int], ground_truth: bool) -> None:
    """Ground truth makes its assets verified; predictions make unlabeled assets predicted."""
    ids = sorted(asset_ids)
    for start in range(0, len(ids), 10000):
        q = t.assets.update().where(t.assets.c.id.in_(ids[start:start + 10000]))
        if ground_truth:
            c.execute(q.where(t.assets.c.state != str(AssetState.VERIFIED)).values(state=str(AssetState.VERIFIED)))
        else:
            c.execute(q.where(t.assets.c.state == str(AssetState.UNLABELED)).values(state=str(AssetState.PREDICTED)))


def write_tracks(c, data: CocoData, locations: dict[int, tuple[int, int]],
                 used: dict[int, tuple[int, int]]) -> tuple[int, list[str]]:
    """A Track row per track id the file uses (``used``: track -> (asset, category) of its
    first instance) or lists, unless the id is a track already. -> (added, warnings)"""
    video_assets = {}
    for image in data.images.values():
        if image.video_id is not None and image.id in locations:
            video_assets[image.video_id] = locations[image.id][0]
    wanted = dict(used)
    for track_id, video_id, category_id in data.tracks:
        if video_id in video_assets:
            wanted.setdefault(track_id, (video_assets[video_id], category_id))
    if not wanted:
        return 0, []
    existing = {r.id: r.asset_id for r in c.execute(select(t.tracks.c.id, t.tracks.c.asset_id)
                                                     .where(t.tracks.c.id.in_(list(wanted))))}
    rows, warnings = [], []
    for track_id, (asset, category) in sorted(wanted.items()):
        if track_id in existing:
            if existing[track_id] != asset:
                warnings.append(f"track id {track_id} is already a track of asset {existing[track_id]}; "
                                f"its instances on asset {asset} keep the id without a track record")
            continue
        rows.append({"id": track_id, "asset_id": asset, "category_id": category, "name": "", "attributes": {}})
    if rows:
        c.execute(t.tracks.insert(), rows)
    return len(rows), warnings
