"""The still-image part of the sample project, checked against its own pixels."""
import json
import re
from collections import Counter

import numpy as np
import pytest
from pycocotools.coco import COCO

from engine.media import read_image
from engine.sample import PERSON_KEYPOINTS, PERSON_SKELETON, generate_sample
from engine.sample.captions import COUNT_WORDS, RELATIONS
from engine.sample.scene import COLORS, SHAPE_COLORS, SHAPE_KINDS

# pycocotools 2.0.x trips a NumPy 2 deprecation inside its own C code on every decode.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

N_IMAGES = 12


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return generate_sample(out, n_images=N_IMAGES, seed=0)


@pytest.fixture(scope="module")
def coco(sample):
    return COCO(str(sample.ground_truth))


def _masks(coco, image_id):
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
    return [(ann, coco.annToMask(ann).astype(bool)) for ann in anns]


def test_result_and_files(sample):
    out = sample.ground_truth.parent
    assert sample.video is None
    assert sample.images == [out / "images" / f"sample_{i:04d}.png" for i in range(N_IMAGES)]
    assert all(p.is_file() for p in sample.images)
    assert json.loads(sample.ground_truth.read_text()) == sample.coco
    assert sample.captions == out / "captions.json"


def test_categories(coco):
    cats = {c["id"]: c for c in coco.loadCats(coco.getCatIds())}
    assert sorted(cats) == [1, 2, 3, 4]
    person = cats[1]
    assert person["name"] == "person" and person["keypoints"] == PERSON_KEYPOINTS
    assert person["skeleton"] == [[a + 1, b + 1] for a, b in PERSON_SKELETON]
    assert [(cats[i]["name"], cats[i]["supercategory"]) for i in (2, 3, 4)] == [
        ("circle", "shape"), ("square", "shape"), ("triangle", "shape")]


def test_images_and_ids(sample, coco):
    out = sample.ground_truth.parent
    assert sorted(coco.getImgIds()) == list(range(1, N_IMAGES + 1))
    for img in coco.loadImgs(coco.getImgIds()):
        assert read_image(out / img["file_name"]).shape == (img["height"], img["width"], 3)
    ids = [a["id"] for a in sample.coco["annotations"]]
    assert min(ids) >= 1 and len(set(ids)) == len(ids)


def test_masks_are_exactly_the_visible_pixels(sample, coco):
    out = sample.ground_truth.parent
    palette = np.array(list(COLORS.values()))
    for img in coco.loadImgs(coco.getImgIds()):
        rgb = read_image(out / img["file_name"])
        covered = np.zeros(rgb.shape[:2], int)
        for ann, mask in _masks(coco, img["id"]):
            assert mask.any()
            colour = COLORS[ann["attributes"]["color"]]
            assert (rgb[mask] == colour).all(), ann["id"]
            covered += mask
        # Masks never overlap, and every object-coloured pixel belongs to one.
        assert covered.max() == 1
        object_coloured = (rgb[:, :, None, :] == palette[None, None]).all(axis=3).any(axis=2)
        np.testing.assert_array_equal(object_coloured, covered == 1)


def test_boxes_areas_and_segmentation_kinds(sample, coco):
    kinds = Counter()
    for ann in sample.coco["annotations"]:
        mask = coco.annToMask(ann).astype(bool)
        ys, xs = np.nonzero(mask)
        assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        assert ann["area"] == mask.sum()
        assert ann["iscrowd"] == 0
        seg = ann["segmentation"]
        if isinstance(seg, list):
            kinds["polygon"] += 1
            assert coco.loadCats(ann["category_id"])[0]["name"] in ("square", "triangle")
        else:
            kinds["rle"] += 1
            assert isinstance(seg["counts"], str)
            assert seg["size"] == [240, 320]
    assert kinds["polygon"] > 0 and kinds["rle"] > 0


def test_keypoints(coco):
    seen = Counter()
    for img_id in coco.getImgIds():
        masks = _masks(coco, img_id)
        for ann, mask in masks:
            if ann["category_id"] != 1:
                assert "keypoints" not in ann
                continue
            kps = np.array(ann["keypoints"]).reshape(17, 3)
            assert ann["num_keypoints"] == int((kps[:, 2] > 0).sum())
            for x, y, v in kps:
                seen[v] += 1
                if v == 0:
                    assert x == 0 and y == 0
                    continue
                assert 0 <= x < 320 and 0 <= y < 240
                if v == 2:
                    assert mask[y, x]
                else:  # hidden under another annotated object
                    assert not mask[y, x]
                    assert any(other[y, x] for a, other in masks if a["id"] != ann["id"])
    assert seen[0] and seen[1] and seen[2]  # true for seed 0, not for every seed


COUNT = "|".join(["an"] + COUNT_WORDS[1:])
COLOUR = "|".join(SHAPE_COLORS)
KIND = "|".join(SHAPE_KINDS)
PHRASE = rf"(?:{COUNT}) (?:(?:{COLOUR}) (?:{KIND})s?|person|people)"
PHRASE_PARTS = re.compile(rf"\b({COUNT}) (?:({COLOUR}) ({KIND})s?|(person|people))\b")
RELATION = re.compile(rf"^({PHRASE}) ({'|'.join(RELATIONS)}) ({PHRASE})")


def _number(word):
    return 1 if word in ("a", "an") else COUNT_WORDS.index(word)


def test_captions_describe_the_picture(sample, coco):
    captions = COCO(str(sample.captions))
    assert sorted(captions.getImgIds()) == list(range(1, N_IMAGES + 1))
    texts = {a["image_id"]: a["caption"] for a in captions.dataset["annotations"]}
    assert len(texts) == N_IMAGES and len(set(texts.values())) > N_IMAGES // 2

    for image_id, text in texts.items():
        masks = _masks(coco, image_id)
        centroids = {a["id"]: np.argwhere(m).mean(axis=0)[::-1] for a, m in masks}  # (x, y)

        def members(groups):
            count, colour, kind, people = groups
            if people:
                return [a for a, _ in masks if a["category_id"] == 1], _number(count)
            cat = coco.getCatIds(catNms=[kind])[0]
            return [a for a, _ in masks if a["category_id"] == cat and a["attributes"]["color"] == colour], \
                _number(count)

        phrases = PHRASE_PARTS.findall(text)
        assert phrases, text
        for groups in phrases:
            found, claimed = members(groups)
            assert len(found) == claimed, (text, groups)
        n_people = sum(1 for a, _ in masks if a["category_id"] == 1)
        assert (n_people > 0) == any(g[3] for g in phrases), text

        rel = RELATION.match(text)
        if rel:
            a_members, _ = members(PHRASE_PARTS.match(rel.group(1)).groups())
            b_members, _ = members(PHRASE_PARTS.match(rel.group(3)).groups())
            ax, ay = np.mean([centroids[a["id"]] for a in a_members], axis=0)
            bx, by = np.mean([centroids[a["id"]] for a in b_members], axis=0)
            dx, dy = ax - bx, ay - by
            expected = (("left of" if dx < 0 else "right of") if abs(dx) >= abs(dy)
                        else ("above" if dy < 0 else "below"))
            assert rel.group(2) == expected, text
        else:
            assert " and " in text or " background" in text, text


def _all_bytes(result):
    out = result.ground_truth.parent
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = _all_bytes(generate_sample(tmp_path / "a", n_images=4, seed=5))
    again = _all_bytes(generate_sample(tmp_path / "b", n_images=4, seed=5))
    other = _all_bytes(generate_sample(tmp_path / "c", n_images=4, seed=6))
    assert first == again
    assert set(first) == set(other)
    assert all(first[name] != other[name] for name in first if name.endswith(".png"))
    assert first["ground_truth.json"] != other["ground_truth.json"]
    # Image k depends on the seed and k only, not on how many images there are.
    fewer = _all_bytes(generate_sample(tmp_path / "d", n_images=2, seed=5))
    assert fewer["images/sample_0001.png"] == first["images/sample_0001.png"]
