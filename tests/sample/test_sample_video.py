"""The sample video: frames, per-frame ground truth and tracks."""
from collections import defaultdict

import numpy as np
import pytest
from pycocotools.coco import COCO

from engine.media import VideoReader
from engine.sample import generate_sample
from engine.sample.scene import COLORS

# pycocotools 2.0.x trips a NumPy 2 deprecation inside its own C code on every decode.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

N_FRAMES = 48


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("video_sample"), n_images=2, seed=0,
                           video=True, video_frames=N_FRAMES)


@pytest.fixture(scope="module")
def coco(sample):
    return COCO(str(sample.ground_truth))


def _frames(coco):
    return sorted((img for img in coco.dataset["images"] if "video_id" in img), key=lambda i: i["frame_index"])


def _iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    iw = max(0.0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    ih = max(0.0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    return iw * ih / (aw * ah + bw * bh - iw * ih)


def test_video_entry_and_frame_images(sample, coco):
    out = sample.ground_truth.parent
    assert sample.video == out / "video" / "sample_walk.mp4"
    [video] = coco.dataset["videos"]
    assert video == {"id": 1, "name": "sample_walk", "file_name": "video/sample_walk.mp4",
                     "width": 320, "height": 240, "fps": 12.0, "length": N_FRAMES}
    frames = _frames(coco)
    assert [f["frame_index"] for f in frames] == list(range(N_FRAMES))
    assert all(f["file_name"] == f"video/sample_walk.mp4#{f['frame_index']}" for f in frames)
    assert len({f["id"] for f in coco.dataset["images"]}) == len(coco.dataset["images"]) == 2 + N_FRAMES


def _person_iou(coco, frame, rgb):
    """Mean IoU of the people's masks with the pixels of their colour in ``rgb``."""
    ious = []
    for ann in coco.loadAnns(coco.getAnnIds(imgIds=[frame["id"]])):
        if ann["category_id"] == 1:
            mask = coco.annToMask(ann).astype(bool)
            close = np.abs(rgb - np.array(COLORS[ann["attributes"]["color"]])).sum(axis=2) < 60
            ious.append((close & mask).sum() / (close | mask).sum())
    return float(np.mean(ious))


def test_frames_decode_and_match_the_ground_truth(sample, coco):
    frames = _frames(coco)
    with VideoReader(sample.video) as reader:
        assert reader.num_frames == N_FRAMES
        assert reader.fps == pytest.approx(12.0)
        assert (reader.width, reader.height) == (320, 240)
        decoded = [rgb.astype(int) for _, rgb in reader.iter_frames()]
    assert len(decoded) == N_FRAMES
    for t, frame in enumerate(frames):
        # Chroma subsampling blurs thin limbs, so the match is never perfect, but the
        # ground truth of frame t must fit decoded frame t clearly better than its
        # neighbours: walkers move a limb's width or more per frame.
        here = _person_iou(coco, frame, decoded[t])
        assert here > 0.5, (t, here)
        for other in (t - 1, t + 1):
            if 0 <= other < N_FRAMES:
                assert here > _person_iou(coco, frame, decoded[other]) + 0.1, (t, other)


def test_tracks_are_consistent(sample, coco):
    frames = _frames(coco)
    tracks = {t["id"]: t for t in coco.dataset["tracks"]}
    by_track = defaultdict(dict)
    for frame in frames:
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[frame["id"]]))
        assert anns, frame["file_name"]
        assert len({a["track_id"] for a in anns}) == len(anns)
        for ann in anns:
            assert ann["video_id"] == 1
            assert ann["category_id"] == tracks[ann["track_id"]]["category_id"]
            by_track[ann["track_id"]][frame["frame_index"]] = ann
    people = [t for t in by_track if tracks[t]["category_id"] == 1]
    assert 2 <= len(people) <= 3
    for track, anns in by_track.items():
        assert len({a["attributes"]["color"] for a in anns.values()}) == 1
        if track in people:
            assert len(anns) == N_FRAMES
            # A person does not jump between frames: the hips (keypoints 11, 12, never
            # outside the picture here) move a few pixels at a time, even while occluded.
            hips = np.array([np.reshape(anns[t]["keypoints"], (17, 3))[11:13].mean(axis=0) for t in range(N_FRAMES)])
            assert (hips[:, 2] > 0).all()
            assert np.abs(np.diff(hips[:, :2], axis=0)).max() < 15


def test_figures_cross(sample, coco):
    frames = _frames(coco)
    people = [t["id"] for t in coco.dataset["tracks"] if t["category_id"] == 1]
    boxes = {(a["track_id"], a["image_id"]): a["bbox"] for a in coco.dataset["annotations"] if "track_id" in a}
    first, last = frames[0]["id"], frames[-1]["id"]
    crossed = False
    for i, a in enumerate(people):
        for b in people[i + 1:]:
            before = boxes[a, first][0] < boxes[b, first][0]
            after = boxes[a, last][0] < boxes[b, last][0]
            overlap = any(_iou(boxes[a, f["id"]], boxes[b, f["id"]]) > 0.2 for f in frames)
            crossed |= before != after and overlap
    assert crossed
    # Someone gets occluded while they pass each other.
    assert any(v == 1 for a in coco.dataset["annotations"] if "track_id" in a and "keypoints" in a
               for v in a["keypoints"][2::3])


def test_video_is_deterministic(tmp_path):
    def frames(name):
        result = generate_sample(tmp_path / name, n_images=0, seed=2, video=True, video_frames=6)
        with VideoReader(result.video) as reader:
            return [f.astype(int) for _, f in reader.iter_frames()], result.ground_truth.read_bytes()

    (a, gt_a), (b, gt_b) = frames("a"), frames("b")
    assert gt_a == gt_b
    assert len(a) == len(b) == 6
    assert all(np.abs(x - y).mean() < 1 for x, y in zip(a, b))


def test_video_needs_even_size(tmp_path):
    with pytest.raises(ValueError):
        generate_sample(tmp_path, n_images=0, video=True, size=(321, 240))
