"""Which images, frames and videos an export lists, and their COCO ids.

Ids an import brought in are kept (``Asset.coco_id`` for still images and
videos, ``Frame.coco_id`` for video frames); the rest, and any that would
collide, get new ids above the largest one in use. A video frame is listed
when it came in through an import or carries an exported annotation; its
``file_name`` is ``"<video path>#<frame index>"``, as ``engine.sample`` writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import select

from engine.model import AssetKind, AssetState
from engine.store import schema as t


@dataclass
class ImagePlan:
    images: list[dict] = field(default_factory=list)
    videos: list[dict] = field(default_factory=list)
    image_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (asset id, frame) -> image id
    video_of: dict[int, int] = field(default_factory=dict)              # asset id -> video id
    size_of: dict[int, tuple[int, int]] = field(default_factory=dict)   # asset id -> (height, width)


def _allocate(wanted: list[int | None]) -> list[int]:
    used: set[int] = set()
    out: list[int | None] = []
    for cid in wanted:
        if cid is None or cid < 1 or cid in used:
            out.append(None)
        else:
            used.add(cid)
            out.append(cid)
    top = max(used, default=0)
    for n, cid in enumerate(out):
        if cid is None:
            top += 1
            out[n] = top
    return out


def plan_images(c, asset_ids, annotated_assets: set[int] | None,
                annotated_frames: set[tuple[int, int]]) -> ImagePlan:
    """``annotated_assets`` None lists every asset (else verified ones plus these);
    ``annotated_frames`` are the (video asset, frame) pairs with exported annotations."""
    q = select(t.assets.c.id, t.assets.c.kind, t.assets.c.path, t.assets.c.width, t.assets.c.height,
               t.assets.c.fps, t.assets.c.num_frames, t.assets.c.coco_id, t.assets.c.state).order_by(t.assets.c.id)
    if asset_ids is not None:
        q = q.where(t.assets.c.id.in_(list(asset_ids)))
    rows = [r for r in c.execute(q)
            if annotated_assets is None or r.state == str(AssetState.VERIFIED) or r.id in annotated_assets]
    stills = [r for r in rows if r.kind != str(AssetKind.VIDEO)]
    videos = [r for r in rows if r.kind == str(AssetKind.VIDEO)]
    plan = ImagePlan(size_of={r.id: (r.height, r.width) for r in rows})

    frames: dict[tuple[int, int], int | None] = {}
    if videos:
        video_ids = [v.id for v in videos]
        for asset_id, index, coco_id in c.execute(select(t.frames.c.asset_id, t.frames.c.frame_index,
                                                         t.frames.c.coco_id).where(t.frames.c.asset_id.in_(video_ids))):
            frames[(asset_id, index)] = coco_id
        wanted = set(video_ids)
        for key in annotated_frames:
            if key[0] in wanted:
                frames.setdefault(key, None)
    frame_keys = sorted(frames)
    ids = _allocate([r.coco_id for r in stills] + [frames[k] for k in frame_keys])

    for r, image_id in zip(stills, ids):
        plan.image_of[(r.id, 0)] = image_id
        plan.images.append({"id": image_id, "file_name": r.path, "width": r.width, "height": r.height})
    by_id = {v.id: v for v in videos}
    for video, video_id in zip(videos, _allocate([v.coco_id for v in videos])):
        plan.video_of[video.id] = video_id
        plan.videos.append({"id": video_id, "name": PurePosixPath(video.path).stem, "file_name": video.path,
                            "width": video.width, "height": video.height, "fps": video.fps,
                            "length": video.num_frames})
    for (asset_id, index), image_id in zip(frame_keys, ids[len(stills):]):
        video = by_id[asset_id]
        plan.image_of[(asset_id, index)] = image_id
        plan.images.append({"id": image_id, "file_name": f"{video.path}#{index}", "width": video.width,
                            "height": video.height, "video_id": plan.video_of[asset_id], "frame_index": index})
    return plan
