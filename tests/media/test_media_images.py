import numpy as np
import pytest
from PIL import Image, ImageOps

from engine.media import MediaError, image_size, read_image
from engine.media import images


def _pattern(height=48, width=64):
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 4, y * 5, (x + y) * 2], axis=2).astype(np.uint8)


def test_png_round_trip_is_exact(tmp_path):
    rgb = _pattern()
    path = tmp_path / "a.png"
    Image.fromarray(rgb).save(path)
    out = read_image(path)
    assert out.dtype == np.uint8 and out.shape == (48, 64, 3)
    np.testing.assert_array_equal(out, rgb)
    assert image_size(path) == (64, 48)


def test_jpeg_round_trip_is_close(tmp_path):
    rgb = _pattern()
    path = tmp_path / "a.jpg"
    Image.fromarray(rgb).save(path, quality=95)
    out = read_image(str(path))
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - rgb).mean() < 3
    assert image_size(path) == (64, 48)


def test_grayscale_rgba_and_palette_become_rgb(tmp_path):
    gray = np.arange(48 * 64, dtype=np.uint32).reshape(48, 64) % 256
    Image.fromarray(gray.astype(np.uint8), "L").save(tmp_path / "l.png")
    out = read_image(tmp_path / "l.png")
    assert out.shape == (48, 64, 3)
    for c in range(3):
        np.testing.assert_array_equal(out[:, :, c], gray)

    rgba = np.dstack([_pattern(), np.full((48, 64), 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    np.testing.assert_array_equal(read_image(tmp_path / "rgba.png"), _pattern())

    Image.fromarray(_pattern()).convert("P").save(tmp_path / "p.png")
    assert read_image(tmp_path / "p.png").shape == (48, 64, 3)


def test_16_bit_grayscale_is_scaled_not_clipped(tmp_path):
    wide = (np.arange(48 * 64).reshape(48, 64) * 21).astype(np.uint16)
    Image.fromarray(wide).save(tmp_path / "g16.png")
    out = read_image(tmp_path / "g16.png")
    np.testing.assert_array_equal(out[:, :, 0], (wide >> 8).astype(np.uint8))


def test_exif_orientation_is_applied(tmp_path):
    rgb = _pattern(height=20, width=40)
    img = Image.fromarray(rgb)
    exif = img.getexif()
    exif[0x0112] = 6  # stored rotated: display = rotate 90 degrees clockwise
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif, quality=95)
    assert image_size(path) == (20, 40)
    out = read_image(path)
    assert out.shape == (40, 20, 3)
    expected = np.rot90(rgb, k=-1)
    assert np.abs(out.astype(int) - expected).mean() < 4


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "missing.png"
    for fn in (read_image, image_size):
        with pytest.raises(MediaError) as info:
            fn(path)
        assert str(path) in str(info.value)
        assert info.value.path == path


def test_not_an_image(tmp_path):
    path = tmp_path / "text.png"
    path.write_text("not a picture")
    for fn in (read_image, image_size):
        with pytest.raises(MediaError, match="text.png"):
            fn(path)


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_truncated_file_fails_on_read(tmp_path, suffix):
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, size=(128, 128, 3), dtype=np.uint8)
    full = tmp_path / f"full.{suffix}"
    Image.fromarray(noisy).save(full)
    data = full.read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    # The header is intact, so the size is still known ...
    assert image_size(cut) == (128, 128)
    # ... but a full decode must fail with the path in the message.
    with pytest.raises(MediaError) as info:
        read_image(cut)
    assert str(cut) in str(info.value)


def _pillow_rgb(path):
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_png_fast_path_gives_pillows_pixels(tmp_path, monkeypatch, mode):
    rng = np.random.default_rng(1)
    channels = len(mode)
    path = tmp_path / f"{mode}.png"
    Image.fromarray(rng.integers(0, 256, size=(37, 53, channels), dtype=np.uint8), mode).save(path)
    calls = []
    real = images.png_decode.decode
    assert images.png_decode.available, "imagecodecs is a dependency: the fast path must be there"
    monkeypatch.setattr(images.png_decode, "decode", lambda data: calls.append(len(data)) or real(data))
    out = read_image(path)
    assert calls, "an RGB(A) PNG goes through libpng"
    assert out.dtype == np.uint8 and out.shape == (37, 53, 3) and out.flags.c_contiguous
    assert np.array_equal(out, _pillow_rgb(path))


def test_16_bit_rgb_png_keeps_the_high_byte_like_pillow(tmp_path):
    imagecodecs = pytest.importorskip("imagecodecs")
    rng = np.random.default_rng(2)
    wide = rng.integers(0, 65536, size=(16, 24, 3), dtype=np.uint16)
    path = tmp_path / "deep.png"
    path.write_bytes(imagecodecs.png_encode(wide))
    out = read_image(path)
    assert out.dtype == np.uint8
    assert np.array_equal(out, (wide >> 8).astype(np.uint8))
    assert np.array_equal(out, _pillow_rgb(path))


def test_png_with_exif_orientation_is_rotated(tmp_path):
    rgb = _pattern(height=20, width=40)
    img = Image.fromarray(rgb)
    exif = img.getexif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.png"
    img.save(path, exif=exif)
    assert image_size(path) == (20, 40)
    assert np.array_equal(read_image(path), np.rot90(rgb, k=-1))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    import struct
    import zlib
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def test_png_with_exif_after_the_pixels_is_rotated_like_pillow_does(tmp_path):
    rgb = _pattern(height=20, width=40)
    plain = tmp_path / "plain.png"
    Image.fromarray(rgb).save(plain)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = plain.read_bytes()
    end = data.rindex(b"IEND") - 4  # the IEND chunk starts with its length
    path = tmp_path / "late_exif.png"
    path.write_bytes(data[:end] + _chunk(b"eXIf", exif.tobytes()) + data[end:])
    with Image.open(path) as img:
        img.load()
        expected = np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
    assert expected.shape == (40, 20, 3)  # Pillow does rotate it
    assert np.array_equal(read_image(path), expected)


def test_png_that_libpng_refuses_gets_pillows_verdict(tmp_path):
    rgb = _pattern(height=20, width=40)
    path = tmp_path / "bad_crc.png"
    Image.fromarray(rgb).save(path)
    data = bytearray(path.read_bytes())
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    data[idat + 4 + length] ^= 0xFF  # the IDAT chunk's CRC: libpng refuses, Pillow does not check it
    path.write_bytes(bytes(data))
    assert np.array_equal(read_image(path), rgb)
