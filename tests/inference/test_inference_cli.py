"""``kinetag predict`` and ``kinetag models``, run in-process."""
from __future__ import annotations

import pytest
import torch

from engine.cli.main import main
from engine.inference import get_spec, load_model, save_checkpoint, weights_cache_path
from engine.model import ReviewState, Source
from engine.store import ProjectStore
from tests.inference.inference_helpers import add_images

SSD = "ssdlite320_mobilenet_v3_large"


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "p.kinetag"
    store = ProjectStore.create(path)
    assets = add_images(store, 3)
    store.close()
    return path, [a.id for a in assets]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = load_model(get_spec(SSD), None, num_classes=3).model
    for block in model.head.classification_head.module_list:
        block[-1].bias.data.view(-1, 3)[:, 1] += 4.0  # "cat" at every anchor
    return save_checkpoint(tmp_path_factory.mktemp("weights") / "pets.pt", SSD, model, ["__background__", "cat", "dog"])


def test_predict_with_a_checkpoint_writes_predictions(project_file, checkpoint, capsys):
    path, ids = project_file
    code = main(["predict", str(path), "--model", SSD, "--weights", str(checkpoint), "--device", "cpu",
                 "--batch", "2", "--assets", f"{ids[0]},{ids[1]}-{ids[2]}"])
    out = capsys.readouterr().out
    assert code == 0
    with ProjectStore.open(path) as store:
        instances = store.instances()
        names = {c.id: c.name for c in store.categories()}
        assert {i.asset_id for i in instances} == set(ids)
        assert {names[i.category_id] for i in instances} == {"cat"}
        assert all(i.source == Source.MODEL and i.review_state == ReviewState.PREDICTED for i in instances)
        assert all(i.score >= 0.5 for i in instances)  # the model's default threshold
    assert f"{len(instances)} predictions on 3 images" in out


def test_predict_only_selected_assets_and_threshold(project_file, checkpoint):
    path, ids = project_file
    assert main(["predict", str(path), "--model", SSD, "--weights", str(checkpoint), "--device", "cpu",
                 "--assets", str(ids[1]), "--score-threshold", "0.99"]) == 0
    with ProjectStore.open(path) as store:
        assert {i.asset_id for i in store.instances()} <= {ids[1]}
        assert all(i.score >= 0.99 for i in store.instances())


def test_predict_user_errors_exit_2(project_file, checkpoint, capsys):
    path, _ = project_file
    assert main(["predict", str(path), "--model", "yolo", "--weights", "random"]) == 2
    assert "unknown model 'yolo'" in capsys.readouterr().err
    assert main(["predict", str(path), "--model", SSD, "--weights", "random", "--min-size", "128"]) == 2
    assert "fixed size" in capsys.readouterr().err
    assert main(["predict", str(path), "--model", "fasterrcnn_mobilenet_v3_large_320_fpn",
                 "--weights", str(checkpoint), "--device", "cpu"]) == 2
    assert "pets.pt" in capsys.readouterr().err
    assert main(["predict", str(path), "--model", SSD, "--assets", "1,x"]) == 2
    assert "'x' is not an id" in capsys.readouterr().err
    assert main(["predict", str(path.with_name("none.kinetag")), "--model", SSD]) == 2


def test_predict_reports_unreadable_images(project_file, checkpoint, capsys):
    path, ids = project_file
    with ProjectStore.open(path) as store:
        broken = store.resolve(store.asset(ids[0]))
    broken.write_bytes(b"garbage")
    code = main(["predict", str(path), "--model", SSD, "--weights", str(checkpoint), "--device", "cpu"])
    captured = capsys.readouterr()
    assert code == 1
    assert "1 images/frames skipped" in captured.out and str(broken) in captured.out


def test_models_lists_names_tasks_classes_and_weights(tmp_path, capsys):
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        cached = weights_cache_path(get_spec("fcos_resnet50_fpn"))
        cached.parent.mkdir(parents=True)
        cached.write_bytes(b"x")
        assert main(["models"]) == 0
    finally:
        torch.hub.set_dir(previous)
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert lines["fcos_resnet50_fpn"][1:] == ["boxes", "80", "present"]
    assert lines["keypointrcnn_resnet50_fpn"][1:] == ["keypoints", "1", "not", "downloaded"]
    assert lines["lraspp_mobilenet_v3_large"][1:3] == ["semantic", "20"]
    assert len([k for k in lines if k.endswith(("fpn", "fpn_v2", "vgg16", "large", "resnet50"))]) == 15
