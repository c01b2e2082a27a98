"""The chunked JSON reader gives exactly what json.load gives, wherever the chunks break."""
import json

import pytest

from engine.coco import CocoFormatError
from engine.coco.jsonstream import Elements, JsonStream

DOC = {
    "info": {"year": 2024, "nested": {"a": [1, 2.5, -3e-7, None, True, False]}},
    "count": 1234567,
    "images": [{"id": i, "file_name": f"dir/\u00e9t\u00e9 \"{i}\".png", "width": 640 + i} for i in range(25)],
    "empty": [],
    "annotations": [{"id": 10 ** 12 + i, "bbox": [0.1 * i, 1e10, -0.0, 17], "note": "\\u0041 \n\t",
                     "segmentation": {"counts": "a\\b\"c" * i}} for i in range(40)],
    "ratio": -1.25e-3,
    "flag": None,
}


def read_all(path, chunk):
    out = {}
    with JsonStream(path, chunk_chars=chunk) as stream:
        for key, value in stream.items():
            out[key] = list(value) if isinstance(value, Elements) else value
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_same_as_json_load_for_any_chunk_size(tmp_path, chunk, indent):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC, indent=indent), encoding="utf-8")
    assert read_all(path, chunk) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_top_level_list_and_skipped_arrays(tmp_path, chunk):
    path = tmp_path / "results.json"
    path.write_text(json.dumps([{"image_id": i, "score": i / 7} for i in range(30)]), encoding="utf-8")
    with JsonStream(path, chunk_chars=chunk) as stream:
        items = list(stream.items())
    assert [key for key, _ in items] == [None]

    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(DOC), encoding="utf-8")
    seen = {}
    with JsonStream(doc, chunk_chars=chunk) as stream:
        for key, value in stream.items():  # arrays not read by the caller are skipped
            seen[key] = "array" if isinstance(value, Elements) else value
    assert seen["ratio"] == DOC["ratio"] and seen["count"] == DOC["count"] and seen["annotations"] == "array"


def test_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"images": [1, 2]}).encode())
    assert read_all(path, 3) == {"images": [1, 2]}


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"images": [{"file_name": "caf\u00e9"}]}'.encode("latin-1"))
    with pytest.raises(CocoFormatError, match="not UTF-8"):
        read_all(path, 1 << 20)


@pytest.mark.parametrize("chunk", [1, 4, 1 << 20])
def test_errors_name_line_and_column(tmp_path, chunk):
    path = tmp_path / "bad.json"
    path.write_text('{"images": [\n  {"id": 1},\n  {"id": 2,, "x": 1}\n]}', encoding="utf-8")
    with pytest.raises(CocoFormatError) as error:
        read_all(path, chunk)
    assert str(error.value).startswith(f"{path}: line 3")
    assert "not valid JSON" in str(error.value)


@pytest.mark.parametrize("text", ['{"images": [1, 2', '{"images": "abc', '{"images": [{"id": 1}', '{"a": tru'])
def test_truncated_files(tmp_path, text):
    path = tmp_path / "cut.json"
    path.write_text(text, encoding="utf-8")
    for chunk in (1, 3, 1 << 20):
        with pytest.raises(CocoFormatError, match="not valid JSON"):
            read_all(path, chunk)


def test_long_values_across_many_chunks(tmp_path):
    path = tmp_path / "long.json"
    doc = {"annotations": [{"counts": "x" * 5000, "poly": list(range(3000))}] * 3}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert read_all(path, 16) == doc


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_elements_with_their_text(tmp_path, chunk):
    path = tmp_path / "text.json"
    path.write_text('{"annotations": [ {"id": 1, "bbox": [1,2, 3,4]},\n{"id": 2.5e1} ,{"s": "]}"}]}',
                    encoding="utf-8")
    with JsonStream(path, chunk_chars=chunk) as stream:
        for key, value in stream.items():
            pairs = list(value.with_text())
    assert pairs == [({"id": 1, "bbox": [1, 2, 3, 4]}, '{"id": 1, "bbox": [1,2, 3,4]}'),
                     ({"id": 25.0}, '{"id": 2.5e1}'), ({"s": "]}"}, '{"s": "]}"}')]
