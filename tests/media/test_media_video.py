import random

import av
import numpy as np
import pytest

from engine.media import MediaError, VideoReader, write_video

WIDTH, HEIGHT, BITS = 128, 96, 6
N_FRAMES = 40


def _coded_frame(index: int) -> np.ndarray:
    """A frame whose index survives lossy coding: one big black/white block per bit."""
    frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    block = WIDTH // BITS
    for bit in range(BITS):
        if index >> bit & 1:
            frame[16:80, bit * block:(bit + 1) * block] = 255
        else:
            frame[16:80, bit * block:(bit + 1) * block] = 0
    return frame


def _decode_index(frame: np.ndarray) -> int:
    block = WIDTH // BITS
    means = [frame[24:72, bit * block + 4:(bit + 1) * block - 4].mean() for bit in range(BITS)]
    return sum(1 << bit for bit, mean in enumerate(means) if mean > 128)


@pytest.fixture(scope="module")
def video_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "coded.mp4"
    # A short GOP makes random access exercise real seeks, not just decoding from 0.
    count = write_video(path, (_coded_frame(i) for i in range(N_FRAMES)), fps=12, gop=6)
    assert count == N_FRAMES
    return path


def test_properties(video_path):
    with VideoReader(video_path) as reader:
        assert reader.num_frames == N_FRAMES
        assert len(reader) == N_FRAMES
        assert reader.fps == pytest.approx(12.0)
        assert (reader.width, reader.height) == (WIDTH, HEIGHT)


def test_written_as_h264_when_available(video_path):
    with av.open(str(video_path)) as container:
        stream = container.streams.video[0]
        expected = "h264" if "libx264" in av.codecs_available else "mpeg4"
        assert stream.codec_context.name == expected
        assert stream.codec_context.pix_fmt == "yuv420p"


@pytest.mark.parametrize("threads", [0, 1])
def test_random_access_in_shuffled_order(video_path, threads):
    order = list(range(N_FRAMES)) * 2
    random.Random(1).shuffle(order)
    with VideoReader(video_path, threads=threads) as reader:
        if threads == 1:
            assert reader._stream.codec_context.thread_count == 1
        for index in order:
            frame = reader.read(index)
            assert frame.shape == (HEIGHT, WIDTH, 3) and frame.dtype == np.uint8
            assert _decode_index(frame) == index


def test_sequential_reads_do_not_seek(video_path):
    with VideoReader(video_path) as reader:
        reader.read(10)
        seeks = reader.seek_count
        for index in range(11, 30):
            assert _decode_index(reader.read(index)) == index
        assert reader.seek_count == seeks
        reader.read(29)  # the same frame again comes from the cache
        assert reader.seek_count == seeks


def test_iter_frames_yields_all_in_order(video_path):
    with VideoReader(video_path) as reader:
        got = [(index, _decode_index(frame)) for index, frame in reader.iter_frames()]
        assert got == [(i, i) for i in range(N_FRAMES)]
        part = [index for index, frame in reader.iter_frames(start=7, stop=12)]
        assert part == [7, 8, 9, 10, 11]
        assert [i for i, _ in reader.iter_frames(start=N_FRAMES - 2, stop=N_FRAMES + 5)] == [
            N_FRAMES - 2, N_FRAMES - 1]


def test_iter_frames_survives_interleaved_reads(video_path):
    with VideoReader(video_path) as reader:
        seen = []
        for index, frame in reader.iter_frames(start=5, stop=15):
            assert _decode_index(frame) == index
            seen.append(index)
            assert _decode_index(reader.read(35)) == 35
        assert seen == list(range(5, 15))


def test_out_of_range_index(video_path):
    with VideoReader(video_path) as reader:
        for bad in (-1, N_FRAMES, N_FRAMES + 100):
            with pytest.raises(IndexError, match="coded.mp4"):
                reader.read(bad)


def test_frame_count_without_container_header(tmp_path):
    # Matroska stores no frame count: the reader counts packets instead.
    path = tmp_path / "coded.mkv"
    write_video(path, (_coded_frame(i) for i in range(12)), fps=12, gop=4)
    with VideoReader(path) as reader:
        assert reader.num_frames == 12
        assert [_decode_index(reader.read(i)) for i in (11, 3, 7)] == [11, 3, 7]


def test_mpeg4_fallback_and_odd_size(tmp_path):
    path = tmp_path / "odd.mp4"
    frames = [np.full((45, 63, 3), 30 * i, np.uint8) for i in range(5)]
    write_video(path, frames, fps=25, codec="mpeg4")
    with VideoReader(path) as reader:
        assert (reader.width, reader.height) == (64, 46)
        assert reader.num_frames == 5
        assert abs(float(reader.read(3).mean()) - 90) < 4


def test_write_rejects_mixed_sizes(tmp_path):
    frames = [np.zeros((32, 32, 3), np.uint8), np.zeros((32, 48, 3), np.uint8)]
    with pytest.raises(ValueError):
        write_video(tmp_path / "mixed.mp4", frames, fps=12)


def test_missing_and_corrupt_files(tmp_path, video_path):
    missing = tmp_path / "missing.mp4"
    with pytest.raises(MediaError, match="missing.mp4"):
        VideoReader(missing)

    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a video" * 200)
    with pytest.raises(MediaError, match="junk.mp4"):
        VideoReader(junk)

    truncated = tmp_path / "truncated.mp4"
    data = video_path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated.mp4"):
        VideoReader(truncated)
