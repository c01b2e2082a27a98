"""Video frames through predict_job: the right frames, decoded in order, mixed with still images."""
from __future__ import annotations

import numpy as np
import pytest

from engine.inference import Predictor, predict_job
from engine.jobs import CancelToken, run_job
from engine.media import VideoReader, write_video
from engine.model import Asset, AssetKind
from tests.inference.inference_helpers import add_images, detector_config, random_image, small_detector

N_FRAMES = 10


@pytest.fixture
def video(project):
    """A moving bright square on a textured background: every frame differs."""
    background = random_image(7, 64, 96)
    frames = []
    for k in range(N_FRAMES):
        frame = background.copy()
        frame[16:40, 4 + 6 * k:28 + 6 * k] = (250, 240, 20)
        frames.append(frame)
    path = project.root / "clips" / "walk.mp4"
    path.parent.mkdir()
    write_video(path, frames, fps=10, crf=10)
    return project.add_asset(Asset(path="clips/walk.mp4", width=96, height=64, kind=AssetKind.VIDEO,
                                   fps=10.0, num_frames=N_FRAMES))


def _direct_predictions(path, indices):
    """What the same model predicts on frames read one by one with VideoReader.read."""
    loaded = small_detector()
    predictor = Predictor(loaded.spec, loaded.model, "cpu", score_threshold=0.0)
    with VideoReader(path) as reader:
        frames = [reader.read(i) for i in indices]
    return [sorted((p.score, p.bbox) for p in preds) for preds in predictor.predict_batch(frames)]


def test_frame_range_with_step_predicts_exactly_those_frames(project, video):
    progress = []
    summary = run_job(predict_job(CancelToken(), project, detector_config(batch_size=2),
                                  frames={video.id: (1, 8, 3)}, model=small_detector()), progress.append)
    assert summary.frames == 3 and summary.images == 0 and summary.errors == []
    assert [pair for p in progress for pair in p.data] == [(video.id, 1), (video.id, 4), (video.id, 7)]
    assert progress[-1].done == progress[-1].total == 3
    expected = _direct_predictions(project.resolve(video), [1, 4, 7])
    for index, want in zip([1, 4, 7], expected):
        got = sorted((i.score, i.bbox) for i in project.instances(video.id, index))
        assert len(got) == len(want) > 0
        for (gs, gb), (ws, wb) in zip(got, want):
            assert gs == pytest.approx(ws, abs=1e-6)
            np.testing.assert_allclose(gb, wb, atol=1e-3)
    assert {i.frame_index for i in project.instances(video.id)} == {1, 4, 7}


def test_all_frames_of_a_video_and_still_images_in_one_run(project, video):
    images = add_images(project, 3)
    progress = []
    summary = run_job(predict_job(CancelToken(), project, detector_config(batch_size=4),
                                  asset_ids=[images[0].id, video.id, images[2].id], model=small_detector()), progress.append)
    assert summary.images == 2 and summary.frames == N_FRAMES
    pairs = [pair for p in progress for pair in p.data]
    assert pairs == [(images[0].id, 0), *[(video.id, k) for k in range(N_FRAMES)], (images[2].id, 0)]
    assert {i.frame_index for i in project.instances(video.id)} == set(range(N_FRAMES))
    assert project.instances(images[1].id) == []


def test_unreadable_video_is_reported_and_the_rest_goes_on(project, video):
    images = add_images(project, 1)
    project.resolve(video).write_bytes(b"\x00\x00\x00\x18ftypmp42 truncated garbage")
    summary = run_job(predict_job(CancelToken(), project, detector_config(),
                                  frames={video.id: (0, 4, 1)}, asset_ids=[images[0].id],
                                  model=small_detector()))
    assert summary.images == 1 and summary.frames == 0 and summary.skipped == 4
    assert len(summary.errors) == 1 and "walk.mp4" in summary.errors[0] and "0..3" in summary.errors[0]
    assert {i.asset_id for i in project.instances()} == {images[0].id}
