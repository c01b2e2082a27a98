"""PNG pixels through libpng, with the inflate done by libdeflate.

Most of a PNG decode is inflating its zlib stream, and libpng inflates through
zlib, about half as fast as libdeflate (a 1080p photo: 35 ms of 45). So the
IDAT stream is inflated here by libdeflate, in one call (the size is known from
the header), and handed back to libpng wrapped in *stored* deflate blocks,
which libpng copies instead of inflating; libpng still does the filters, the
bit depths, palettes and transparency. The stream's Adler-32 is verified by
libdeflate; the IDAT chunks' own CRCs are not (a bad byte fails the Adler-32
or the inflate instead).

Anything unusual (interlaced, a stream of another size, a corrupt stream) goes
through plain libpng, which gives the usual error. So do PNGs that compress
very well, whose inflate costs little anyway.
"""
from __future__ import annotations

import struct

import numpy as np

try:
    from imagecodecs import deflate_adler32, deflate_crc32, deflate_decode, png_decode
except ImportError:  # no imagecodecs wheel for this platform: the caller reads PNGs with Pillow
    png_decode = None

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IEND = struct.pack(">I4sI", 0, b"IEND", 0xAE426082)
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel
_STORED_MAX = 65535  # bytes in one stored deflate block
# Below this compressed/raw ratio (flat drawings, masks) zlib inflates about as fast as
# libdeflate and the extra copies here cost more than they save.
_WORTH_IT = 1 / 16
available = png_decode is not None


def decode(data: bytes) -> np.ndarray:
    """(H, W[, C]) uint8 or uint16 pixels, as imagecodecs.png_decode returns them; raises what it raises."""
    rewrapped = _rewrap(data)
    return png_decode(rewrapped if rewrapped is not None else data)


def _rewrap(data: bytes) -> np.ndarray | None:
    """The same PNG with its image data inflated and stored uncompressed; None when not applicable."""
    if not data.startswith(_SIGNATURE):
        return None
    try:
        found = _image_data(data)
    except struct.error:  # a truncated chunk header: libpng's own error says what is wrong
        return None
    if found is None:
        return None
    head_end, idat, size = found
    # One IDAT of at most 2**31 - 1 bytes is what libpng accepts.
    if sum(len(part) for part in idat) < size * _WORTH_IT or size + 5 * (size // _STORED_MAX + 1) + 6 >= 2**31:
        return None
    try:
        raw = deflate_decode(idat[0] if len(idat) == 1 else b"".join(idat), out=size)
    except Exception:  # noqa: BLE001 — corrupt or oddly sized: plain libpng reports it
        return None
    if len(raw) != size:
        return None
    return _with_stored_idat(data[:head_end], np.frombuffer(raw, dtype=np.uint8))


def _image_data(data: bytes):
    """(where the first IDAT starts, the IDAT payloads, the filtered image's size), or None."""
    head_end, idat, size = None, [], None
    pos = len(_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = pos + 8
        if kind == b"IHDR" and length == 13:
            width, height, depth, colour, _, _, interlace = struct.unpack_from(">IIBBBBB", data, body)
            if interlace or colour not in _CHANNELS:
                return None
            size = height * (1 + (width * _CHANNELS[colour] * depth + 7) // 8)
        elif kind == b"IDAT":
            if head_end is None:
                head_end = pos
            idat.append(memoryview(data)[body:body + length])
        elif kind == b"IEND" or idat:
            break  # chunks after the image data (text, time) carry nothing libpng's pixels need
        pos = body + length + 4
    if head_end is None or not size:
        return None
    return head_end, idat, size


def _with_stored_idat(head: bytes, raw: np.ndarray) -> np.ndarray:
    """``head`` (signature and the chunks before the image data), one IDAT holding ``raw``
    as a zlib stream of stored blocks, and IEND: one buffer, written once."""
    n = raw.size
    blocks = max(1, -(-n // _STORED_MAX))
    zlen = 2 + 5 * blocks + n + 4
    out = np.empty(len(head) + 8 + zlen + 4 + len(_IEND), dtype=np.uint8)
    out[:len(head)] = np.frombuffer(head, dtype=np.uint8)
    at = len(head)
    out[at:at + 8] = np.frombuffer(struct.pack(">I4s", zlen, b"IDAT"), dtype=np.uint8)
    z = out[at + 8:at + 8 + zlen]
    z[:2] = (0x78, 0x01)  # zlib header: deflate, 32K window, no dictionary
    full = blocks - 1
    if full:
        grid = z[2:2 + full * (_STORED_MAX + 5)].reshape(full, _STORED_MAX + 5)
        grid[:, 0] = 0
        grid[:, 1:5] = (0xFF, 0xFF, 0x00, 0x00)  # LEN = 65535, NLEN = ~LEN, little-endian
        grid[:, 5:] = raw[:full * _STORED_MAX].reshape(full, _STORED_MAX)
    last = n - full * _STORED_MAX
    tail = z[2 + full * (_STORED_MAX + 5):]
    tail[0] = 0
    tail[1:5] = np.frombuffer(struct.pack("<HH", last, last ^ 0xFFFF), dtype=np.uint8)
    tail[5:5 + last] = raw[full * _STORED_MAX:]
    # The final block is marked as such (BFINAL, the low bit of its header byte).
    z[2 + (blocks - 1) * (_STORED_MAX + 5)] = 1
    z[-4:] = np.frombuffer(struct.pack(">I", deflate_adler32(raw)), dtype=np.uint8)
    crc = deflate_crc32(z, deflate_crc32(b"IDAT"))
    at += 8 + zlen
    out[at:at + 4] = np.frombuffer(struct.pack(">I", crc), dtype=np.uint8)
    out[at + 4:] = np.frombuffer(_IEND, dtype=np.uint8)
    return out
