"""Weights: the published-weights cache, offline errors, Kinetag checkpoints and mismatches."""
from __future__ import annotations

import dataclasses
import functools
import http.server
import threading
import time

import pytest
import torch

from engine.inference import (
    CheckpointError, PredictConfig, Predictor, WeightsMissingError, download_weights, get_spec, load_checkpoint,
    load_model, predict_job, save_checkpoint, weights_cache_path, weights_present,
)
from engine.inference.weights import MIRROR_ENV
from engine.jobs import CancelToken, run_job
from tests.inference.inference_helpers import add_images, random_image

SSD = "ssdlite320_mobilenet_v3_large"
PETS = ["__background__", "cat", "dog"]


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty torch hub cache, and a download source that refuses at once (no network)."""
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    monkeypatch.setenv(MIRROR_ENV, "http://127.0.0.1:9/")
    yield tmp_path / "hub"
    torch.hub.set_dir(previous)


@functools.lru_cache(maxsize=1)
def _pets_model(seed: int = 0):
    """A random 3-class SSDLite that sees "dog" everywhere; built once, never mutated."""
    torch.manual_seed(seed)
    loaded = load_model(get_spec(SSD), None, num_classes=3, model_kwargs={"detections_per_img": 5})
    for block in loaded.model.head.classification_head.module_list:
        block[-1].bias.data.view(-1, 3)[:, 2] += 4.0  # "dog" everywhere, so there are detections
    return loaded.model


def test_weights_present_checks_the_torch_hub_cache(hub_dir):
    spec = get_spec("fasterrcnn_mobilenet_v3_large_320_fpn")
    path = weights_cache_path(spec)
    assert path == hub_dir / "checkpoints" / "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth"
    assert not weights_present(spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    assert weights_present(spec)


def test_missing_weights_offline_name_the_file_and_fail_fast(hub_dir, project):
    spec = get_spec("maskrcnn_resnet50_fpn")
    expected = hub_dir / "checkpoints" / "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"
    started = time.monotonic()
    with pytest.raises(WeightsMissingError) as caught:
        download_weights(spec)
    assert str(expected) in str(caught.value) and "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth" in str(caught.value)
    add_images(project, 1)
    with pytest.raises(WeightsMissingError, match=str(expected)):
        run_job(predict_job(CancelToken(), project, PredictConfig("maskrcnn_resnet50_fpn", device="cpu")))
    assert time.monotonic() - started < 5
    assert not expected.exists() and not list(expected.parent.glob("*.part"))
    assert project.model_versions() == [] and project.instances() == []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    root = tmp_path / "mirror"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(MIRROR_ENV, f"http://127.0.0.1:{server.server_port}/")
    yield root
    server.shutdown()
    server.server_close()


def test_download_reports_progress_and_checks_the_hash(hub_dir, mirror):
    payload = bytes(range(256)) * 9000  # ~2.3 MB: several chunks
    spec = get_spec(SSD)
    # Same file name as the real weights, wrong content: the sha256 prefix in the name catches it.
    name = weights_cache_path(spec).name
    (mirror / name).write_bytes(payload)
    with pytest.raises(WeightsMissingError, match="corrupt"):
        download_weights(spec)
    assert not weights_cache_path(spec).exists()

    # A file name without a hash is taken as is; progress goes from 0 to the full size.
    unhashed = dataclasses.replace(spec, weights=type("W", (), {"url": "https://example.invalid/tiny.pth"})())
    (mirror / "tiny.pth").write_bytes(payload)
    seen = []
    path = download_weights(unhashed, lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == payload and weights_present(unhashed)
    assert seen[0] == (0, len(payload)) and seen[-1] == (len(payload), len(payload)) and len(seen) >= 3


def test_checkpoint_round_trip_keeps_weights_and_categories(tmp_path):
    model = _pets_model()
    path = save_checkpoint(tmp_path / "pets.pt", SSD, model, PETS)
    checkpoint = load_checkpoint(path)
    assert checkpoint.architecture == SSD and checkpoint.class_names == PETS and checkpoint.num_classes == 3
    loaded = load_model(get_spec(SSD), path, model_kwargs={"detections_per_img": 5})
    assert loaded.origin == "checkpoint" and loaded.weights_path == str(path)
    assert loaded.spec.categories == {1: "cat", 2: "dog"}
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value), key
    image = random_image(5, 60, 80)
    expected = Predictor(loaded.spec, model, "cpu").predict_batch([image])[0]
    got = Predictor(loaded.spec, loaded.model, "cpu").predict_batch([image])[0]
    assert [(p.name, p.bbox, p.score) for p in got] == [(p.name, p.bbox, p.score) for p in expected]
    assert got and {p.name for p in got} == {"dog"}


def test_plain_state_dict_and_categories_without_background(tmp_path):
    model = _pets_model()
    torch.save({"format": "kinetag-checkpoint", "architecture": SSD, "categories": ["cat", "dog"],
                "num_classes": 3, "keypoint_names": [], "state_dict": model.state_dict()}, tmp_path / "short.pt")
    assert load_checkpoint(tmp_path / "short.pt").class_names == PETS
    torch.manual_seed(0)
    coco = load_model(get_spec(SSD), None).model
    torch.save(coco.state_dict(), tmp_path / "plain.pth")
    loaded = load_model(get_spec(SSD), tmp_path / "plain.pth")
    assert loaded.spec.num_classes == 91 and loaded.spec.categories[1] == "person"


def test_checkpoint_for_another_architecture_is_refused(tmp_path):
    path = save_checkpoint(tmp_path / "pets.pt", SSD, _pets_model(), PETS)
    with pytest.raises(CheckpointError) as caught:
        load_model(get_spec("fasterrcnn_mobilenet_v3_large_320_fpn"), path)
    message = str(caught.value)
    assert str(path) in message and SSD in message and "fasterrcnn_mobilenet_v3_large_320_fpn" in message


def test_checkpoint_whose_classes_do_not_fit_its_weights_is_refused(tmp_path, project):
    state = _pets_model().state_dict()
    torch.save({"format": "kinetag-checkpoint", "architecture": SSD, "categories": PETS + ["bird"],
                "num_classes": 4, "keypoint_names": [], "state_dict": state}, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError) as caught:
        load_model(get_spec(SSD), tmp_path / "bad.pt")
    message = str(caught.value)
    assert str(tmp_path / "bad.pt") in message and "4 classes" in message
    assert "found shape [" in message and "expected [" in message

    torch.save(state, tmp_path / "plain.pth")  # 3 classes, no record of them: the 91-class label space assumed
    with pytest.raises(CheckpointError, match="does not fit ssdlite320_mobilenet_v3_large with 91 classes"):
        load_model(get_spec(SSD), tmp_path / "plain.pth")

    torch.save({"format": "kinetag-checkpoint", "architecture": SSD, "categories": PETS,
                "num_classes": 5, "state_dict": state}, tmp_path / "count.pt")
    with pytest.raises(CheckpointError, match="lists 3 names but 'num_classes' is 5"):
        load_checkpoint(tmp_path / "count.pt")

    add_images(project, 1)
    with pytest.raises(CheckpointError):  # the job refuses it before writing anything
        run_job(predict_job(CancelToken(), project, PredictConfig(SSD, weights=str(tmp_path / "bad.pt"),
                                                                   device="cpu")))
    assert project.model_versions() == [] and project.instances() == []


def test_unreadable_weights_file(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"definitely not a zip or pickle")
    with pytest.raises(CheckpointError, match="junk.pt: not a readable PyTorch weights file"):
        load_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(CheckpointError, match="missing.pt: weights file not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_predictions_map_to_project_categories(tmp_path, project):
    from engine.model import Category
    cat = project.add_category(Category(name="Cat"))
    path = save_checkpoint(tmp_path / "pets.pt", SSD, _pets_model(), PETS)
    add_images(project, 2)
    summary = run_job(predict_job(CancelToken(), project, PredictConfig(
        SSD, weights=str(path), device="cpu", model_kwargs={"detections_per_img": 5})))
    names = {c.name: c.id for c in project.categories()}
    assert names == {"Cat": cat.id, "dog": names["dog"]}  # "cat" reused case-insensitively, "dog" created
    version = project.model_version(summary.model_version_id)
    assert version.weights_path == "pets.pt"  # relative to the project folder, like asset paths
    assert version.categories == [cat.id, names["dog"]]
    assert summary.instances > 0 and {i.category_id for i in project.instances()} == {names["dog"]}


def test_segmentation_checkpoint_with_aux_head_loads_and_predicts_the_same(tmp_path):
    spec = get_spec("lraspp_mobilenet_v3_large")
    deeplab = get_spec("deeplabv3_mobilenet_v3_large")
    torch.manual_seed(4)
    trained = deeplab.builder(weights=None, weights_backbone=None, num_classes=21, aux_loss=True).eval()
    path = save_checkpoint(tmp_path / "seg.pt", deeplab.name, trained, deeplab.class_names)
    with pytest.raises(CheckpointError, match="for architecture 'deeplabv3_mobilenet_v3_large'"):
        load_model(spec, path)
    loaded = load_model(deeplab, path)
    assert loaded.model.aux_classifier is None  # the training-only head is not run
    image = random_image(6, 48, 64)
    x = (torch.from_numpy(image.copy()).permute(2, 0, 1).float()[None] / 255 - torch.tensor(
        [0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.inference_mode():
        assert torch.equal(loaded.model(x)["out"], trained(x)["out"])
