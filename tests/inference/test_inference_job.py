"""predict_job against a real project: what it writes, what it keeps, errors, cancel, prefetch."""
from __future__ import annotations

import os
import sys
import threading

import pytest

from engine.inference import PredictSummary, get_spec, predict_job
from engine.inference import job as job_module
from engine.inference import prefetch as prefetch_module
from engine.priority import BACKGROUND_NICE
from engine.inference.prefetch import THREAD_NAME
from engine.inference.writer import THREAD_NAME as WRITE_THREAD
from engine.jobs import CancelToken, Cancelled, run_job
from engine.model import AssetState, Category, Instance, ModelVersion, ReviewState, Source
from tests.inference.inference_helpers import DETECTOR, add_images, detector_config, small_detector


def _run(store, config, load=False, **kwargs) -> tuple[PredictSummary, list]:
    """Run the job; with ``load`` it loads the model from ``config`` itself, else it reuses the shared one."""
    if not load and config.model == DETECTOR:
        kwargs["model"] = small_detector()
    progress = []
    summary = run_job(predict_job(CancelToken(), store, config, **kwargs), progress.append)
    return summary, progress


def _predicted(store, version_id, asset_id=None):
    return store.instances(asset_id, model_version_id=version_id, review_states=[ReviewState.PREDICTED])


def test_predictions_are_written_with_their_model_version_and_categories(project):
    assets = add_images(project, 3)
    summary, progress = _run(project, detector_config(), load=True)
    version = project.model_version(summary.model_version_id)
    assert version.architecture == DETECTOR and version.weights_path == ""
    assert summary.images == 3 and summary.frames == 0 and summary.errors == []
    written = project.instances()
    assert len(written) == summary.instances > 0
    names = {c.id: c.name for c in project.categories()}
    spec_names = set(get_spec(DETECTOR).category_names)
    for inst in written:
        assert inst.source == Source.MODEL and inst.review_state == ReviewState.PREDICTED
        assert inst.model_version_id == version.id and inst.author == f"model:{DETECTOR}"
        assert names[inst.category_id] in spec_names
        assert inst.mask is None and len(inst.bbox) == 4 and inst.score is not None
    assert [p.done for p in progress] == [2, 3] and progress[-1].total == 3
    assert [pair for p in progress for pair in p.data] == [(a.id, 0) for a in assets]
    assert all(project.asset(a.id).state == AssetState.PREDICTED for a in assets)


def test_rerun_replaces_only_unreviewed_predictions_of_that_version(project):
    assets = add_images(project, 2)
    first, _ = _run(project, detector_config())
    on_first = _predicted(project, first.model_version_id, assets[0].id)
    assert len(on_first) >= 3
    accepted = project.update_instance(on_first[0].copy(review_state=ReviewState.ACCEPTED), "alice")
    rejected = project.update_instance(on_first[1].copy(review_state=ReviewState.REJECTED), "alice")
    corrected = project.update_instance(on_first[2].copy(review_state=ReviewState.CORRECTED,
                                                         bbox=(1.0, 2.0, 3.0, 4.0)), "alice")
    human = project.add_instance(Instance(asset_id=assets[0].id, category_id=accepted.category_id,
                                          bbox=(5.0, 5.0, 10.0, 10.0)), "alice")
    stale_ids = {i.id for i in project.instances(review_states=[ReviewState.PREDICTED])}

    second, _ = _run(project, detector_config())

    assert second.model_version_id == first.model_version_id
    assert len(project.model_versions()) == 1
    kept = {i.id: i for i in project.instances(assets[0].id)}
    for before in (accepted, rejected, corrected, human):
        assert kept[before.id].review_state == before.review_state and kept[before.id].bbox == before.bbox
    now_predicted = project.instances(review_states=[ReviewState.PREDICTED])
    assert len(now_predicted) == second.instances
    assert not stale_ids & {i.id for i in now_predicted}  # every old prediction was replaced
    assert len(project.instances()) == second.instances + 4


def test_other_versions_predictions_are_left_alone(project):
    (asset,) = add_images(project, 1)
    category = project.add_category(Category(name="person"))
    other = project.add_model_version(ModelVersion(name="older model", architecture=DETECTOR, categories=[category.id]))
    theirs = project.replace_predictions(other.id, asset.id, 0, [Instance(
        asset_id=asset.id, category_id=category.id, bbox=(1.0, 1.0, 5.0, 5.0), score=0.9, source=Source.MODEL,
        model_version_id=other.id, review_state=ReviewState.PREDICTED)], "model:older")
    first, _ = _run(project, detector_config())
    again, _ = _run(project, detector_config())
    assert first.model_version_id == again.model_version_id != other.id
    assert project.instances(model_version_id=other.id) == theirs
    assert len(_predicted(project, again.model_version_id)) == again.instances > 0


def test_corrupt_image_is_reported_and_skipped(project):
    assets = add_images(project, 3)
    broken = project.resolve(assets[1])
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    summary, progress = _run(project, detector_config())
    assert summary.skipped == 1 and summary.images == 2
    assert len(summary.errors) == 1 and str(broken) in summary.errors[0]
    assert [e for p in progress for e in p.errors] == summary.errors
    assert progress[-1].done == 3
    with_predictions = {i.asset_id for i in project.instances()}
    assert with_predictions == {assets[0].id, assets[2].id}


def test_cancel_after_first_batch_leaves_exactly_that_batch(project):
    assets = add_images(project, 6)
    token = CancelToken()
    job = predict_job(token, project, detector_config(batch_size=2), model=small_detector())
    first = next(job)
    assert first.data == [(assets[0].id, 0), (assets[1].id, 0)]
    token.cancel()
    with pytest.raises(Cancelled):
        next(job)
    assert {i.asset_id for i in project.instances()} == {assets[0].id, assets[1].id}
    assert not [t for t in threading.enumerate() if t.name.startswith((THREAD_NAME, WRITE_THREAD))]


def test_unknown_asset_and_bad_filter_fail_before_writing(project):
    add_images(project, 1)
    with pytest.raises(Exception, match="no asset with id 99"):
        _run(project, detector_config(), asset_ids=[99])
    with pytest.raises(Exception, match="has no class 'unicorn'"):
        _run(project, detector_config(category_names=["unicorn"]))
    assert project.instances() == [] and project.model_versions() == []


def test_category_filter_keeps_only_named_classes(project):
    add_images(project, 2)
    summary, _ = _run(project, detector_config(category_names=["Hair Drier", "person"]))
    names = {c.id: c.name for c in project.categories()}
    assert sorted(names.values()) == ["hair drier", "person"]  # only the filter's categories are created
    assert summary.instances > 0
    assert {names[i.category_id] for i in project.instances()} <= {"hair drier", "person"}


def test_decoding_of_next_batch_overlaps_inference_of_current(project, monkeypatch):
    """While the model runs on batch 0, the prefetch thread must already be reading batch 1.

    The model's first forward blocks until an image of batch 1 has been read; a
    pipeline that reads only after inference would make that wait time out."""
    assets = add_images(project, 4)
    batch1_paths = {str(project.resolve(a)) for a in assets[2:]}
    batch1_read = threading.Event()
    waited = []
    real_read = prefetch_module.read_image

    def read_image(path):
        image = real_read(path)
        if str(path) in batch1_paths:
            batch1_read.set()
        return image

    real_load = job_module.load_model

    def load_model(*args, **kwargs):
        loaded = real_load(*args, **kwargs)

        def before_forward(module, inputs):
            if not waited:
                waited.append(batch1_read.wait(timeout=20))

        loaded.model.register_forward_pre_hook(before_forward)
        return loaded

    monkeypatch.setattr(prefetch_module, "read_image", read_image)
    monkeypatch.setattr(job_module, "load_model", load_model)
    summary, _ = _run(project, detector_config(batch_size=2), load=True)
    assert waited == [True]
    assert summary.images == 4


def test_keypoint_model_writes_keypoints_and_the_person_schema(project):
    from engine.sample import PERSON_KEYPOINTS, PERSON_SKELETON
    add_images(project, 1)
    summary, _ = _run(project, detector_config(
        model="keypointrcnn_resnet50_fpn", model_kwargs={**detector_config().model_kwargs,
                                                         "box_detections_per_img": 2}))
    person = project.categories()[0]
    assert person.name == "person" and person.keypoints == PERSON_KEYPOINTS and person.skeleton == PERSON_SKELETON
    instances = project.instances()
    assert len(instances) == summary.instances > 0
    for inst in instances:
        assert inst.category_id == person.id and len(inst.keypoints) == 51 and len(inst.keypoint_scores) == 17
        assert set(inst.keypoints[2::3]) <= {1, 2}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux-only")
def test_decoding_runs_at_lower_priority_than_cpu_inference(project, monkeypatch):
    add_images(project, 2)
    seen = []
    real_read = prefetch_module.read_image

    def read_image(path):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real_read(path)

    monkeypatch.setattr(prefetch_module, "read_image", read_image)
    _run(project, detector_config())
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen == [min(19, main + BACKGROUND_NICE)] * 2
