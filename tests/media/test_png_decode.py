"""The libdeflate + libpng PNG decoder gives exactly libpng's pixels, or libpng's own error."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from engine.media import png_decode

imagecodecs = pytest.importorskip("imagecodecs")


def _png(array: np.ndarray, mode: str | None = None, **save) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array, mode).save(out, "PNG", **save)
    return out.getvalue()


def _noise(shape, seed=0, dtype=np.uint8) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        out.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


def _assemble(chunks) -> bytes:
    body = b"".join(struct.pack(">I", len(p)) + k + p + struct.pack(">I", zlib.crc32(k + p)) for k, p in chunks)
    return b"\x89PNG\r\n\x1a\n" + body


def _assert_rewrapped_and_equal(data: bytes) -> np.ndarray:
    assert png_decode._rewrap(data) is not None, "this PNG should take the libdeflate path"
    fast, plain = png_decode.decode(data), imagecodecs.png_decode(data)
    assert fast.dtype == plain.dtype and fast.shape == plain.shape
    assert np.array_equal(fast, plain)
    return fast


@pytest.mark.parametrize("shape,mode", [((61, 83, 3), "RGB"), ((61, 83, 4), "RGBA"), ((61, 83), "L"),
                                        ((61, 83, 2), "LA")])
def test_8_bit_colour_types_decode_exactly(shape, mode):
    array = _noise(shape)
    out = _assert_rewrapped_and_equal(_png(array, mode))
    assert np.array_equal(out.reshape(array.shape), array)


def test_palette_and_16_bit_decode_exactly():
    pal = Image.fromarray(_noise((40, 50, 3), seed=3)).quantize(64)
    buf = io.BytesIO()
    pal.save(buf, "PNG")
    _assert_rewrapped_and_equal(buf.getvalue())
    wide = _noise((30, 20, 3), seed=4, dtype=np.uint16)
    out = _assert_rewrapped_and_equal(imagecodecs.png_encode(wide))
    assert np.array_equal(out, wide)


@pytest.mark.parametrize("height,width", [(255, 256), (256, 256), (1, 65534), (700, 300)])
def test_stored_block_boundaries(height, width):
    # Grey 8-bit rows are 1 + width bytes: 255 x 257 is exactly one full 65535-byte block,
    # 256 x 257 one byte past it, 1 x 65535 one full block in a single row, 700 x 301 several.
    array = _noise((height, width), seed=height)
    out = _assert_rewrapped_and_equal(_png(array, "L"))
    assert np.array_equal(out, array)


def test_image_data_split_over_many_chunks_and_text_after_it():
    array = _noise((50, 70, 3), seed=5)
    chunks = _chunks(_png(array))
    idat = b"".join(p for k, p in chunks if k == b"IDAT")
    head = [c for c in chunks if c[0] not in (b"IDAT", b"IEND")]
    pieces = [(b"IDAT", idat[i:i + 1000]) for i in range(0, len(idat), 1000)]
    data = _assemble(head + pieces + [(b"tEXt", b"Comment\x00after the pixels"), (b"IEND", b"")])
    assert len(pieces) > 5
    assert np.array_equal(_assert_rewrapped_and_equal(data), array)


def test_interlaced_and_flat_images_go_through_plain_libpng():
    chunks = _chunks(_png(_noise((40, 60, 3), seed=6)))
    assert chunks[0][0] == b"IHDR"
    ihdr = bytearray(chunks[0][1])
    ihdr[12] = 1  # Adam7: the passes' sizes are libpng's business (only the routing is checked)
    assert png_decode._rewrap(_assemble([(b"IHDR", bytes(ihdr))] + chunks[1:])) is None
    flat = np.zeros((200, 300, 3), dtype=np.uint8)
    data = _png(flat)
    assert png_decode._rewrap(data) is None, "a PNG that compresses 1:1000 is inflated by libpng"
    assert np.array_equal(png_decode.decode(data), flat)


def test_corrupt_image_data_gives_libpngs_error_not_wrong_pixels():
    array = _noise((50, 70, 3), seed=7)
    chunks = _chunks(_png(array))
    broken = []
    for kind, payload in chunks:
        if kind == b"IDAT":
            payload = bytearray(payload)
            payload[len(payload) // 2] ^= 0x55
            payload = bytes(payload)
        broken.append((kind, payload))  # CRCs recomputed: only the zlib stream is wrong
    data = _assemble(broken)
    assert png_decode._rewrap(data) is None
    with pytest.raises(Exception):
        png_decode.decode(data)


def test_not_a_png_is_left_to_libpng():
    assert png_decode._rewrap(b"GIF89a....") is None
    with pytest.raises(Exception):
        png_decode.decode(b"GIF89a....")
