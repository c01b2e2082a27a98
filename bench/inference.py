"""Does the inference engine keep the model busy? Engine throughput vs. the bare model.

Same model object (random weights, seeded: throughput does not depend on what
the weights learnt; detection limits are raised and the score threshold is 0
so every image carries real boxes/masks to convert and store), same images,
same batch size:

  bare    a loop calling the torchvision model on tensors decoded beforehand;
  engine  predict_job: decode in the prefetch thread, inference, conversion to
          instances, one store transaction per batch into a real project file.

Then the same for the frames of an MP4 (engine decodes with VideoReader while
the bare loop gets pre-decoded frames). Bare and engine runs alternate in
``--repeats`` pairs; the figure is the median of the pairs' ratios, which other
processes on a shared machine disturb far less than the rates themselves.
Goal: engine/bare >= 0.95 for images and for video.

    python -m bench.inference [--model fasterrcnn_mobilenet_v3_large_320_fpn] [--images 32] [--device cpu]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from engine.inference import PredictConfig, get_spec, load_model, predict_job
from engine.inference.device import choose_device
from engine.inference.predictor import Predictor, to_tensor, to_uint8
from engine.jobs import CancelToken, run_job
from engine.media import VideoReader, read_image, write_video
from engine.model import Asset, AssetKind
from engine.store import ProjectStore


def dense_kwargs(task: str, name: str, detections: int) -> dict:
    """Builder kwargs that make a random-weight model output ``detections`` objects per image."""
    if task == "semantic":
        return {}
    if name.startswith(("ssd", "retinanet", "fcos")):
        return {"score_thresh": 0.0, "detections_per_img": detections}
    return {"box_score_thresh": 0.0, "box_detections_per_img": detections}


def synthetic_frames(n: int, width: int, height: int, seed: int = 0) -> list[np.ndarray]:
    """Smooth colour fields with a moving block: compressible like photos, not like noise."""
    rng = np.random.default_rng(seed)
    base = np.asarray(Image.fromarray(rng.integers(0, 256, (height // 16, width // 16, 3), dtype=np.uint8))
                      .resize((width, height), Image.BILINEAR))
    frames = []
    for k in range(n):
        frame = base.copy()
        x = (17 * k) % (width - 120)
        frame[100:220, x:x + 120] = (240, 200, 30)
        frames.append(frame)
    return frames


def bare(predictor: Predictor, tensors: list[torch.Tensor], batch: int) -> float:
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(tensors), batch):
            predictor.model([t.to(predictor.device) for t in tensors[i:i + batch]])
    return len(tensors) / (time.perf_counter() - start)


def engine(folder: Path, make_assets, config: PredictConfig, loaded, frames=None) -> tuple[float, int]:
    path = folder / f"bench_{time.monotonic_ns()}.kinetag"
    store = ProjectStore.create(path)
    try:
        assets = make_assets(store)
        ids = [a.id for a in assets]
        start = time.perf_counter()
        summary = run_job(predict_job(CancelToken(), store, config, asset_ids=ids, frames=frames, model=loaded))
        seconds = time.perf_counter() - start
        assert not summary.errors, summary.errors
        share = {k: v / seconds for k, v in summary.timings.items()}
        return (summary.images + summary.frames) / seconds, summary.instances, share
    finally:
        store.close()
        path.unlink(missing_ok=True)


def compare(label: str, run_bare, run_engine, repeats: int) -> float:
    """Alternate bare and engine runs (BE, EB, BE, ...); returns the median of the pairs' engine/bare.

    A shared machine's speed drifts over seconds; the two runs of a pair are
    neighbours in time, so their ratio is far steadier than either rate. Best
    runs (each side's least disturbed) are printed too.
    """
    bare_rates, engine_rates, shares, written = [], [], [], 0
    for k in range(repeats):
        for side in (("bare", "engine") if k % 2 == 0 else ("engine", "bare")):
            if side == "bare":
                bare_rates.append(run_bare())
            else:
                rate, written, share = run_engine()
                engine_rates.append(rate)
                shares.append(share)
    pairs = [e / b for e, b in zip(engine_rates, bare_rates)]
    ratio = statistics.median(pairs)
    print(f"{label:<7} bare {statistics.median(bare_rates):7.2f}/s   engine {statistics.median(engine_rates):7.2f}/s "
          f"(medians)   engine/bare {ratio:5.3f} (median of {repeats} pairs), "
          f"{max(engine_rates) / max(bare_rates):5.3f} (best runs)   {written} predictions written per run")
    print(f"{'':<7} pairs engine/bare {', '.join(f'{r:.3f}' for r in pairs)}; "
          f"runs/s bare {', '.join(f'{r:.2f}' for r in bare_rates)}; engine {', '.join(f'{r:.2f}' for r in engine_rates)}")
    fastest = shares[engine_rates.index(max(engine_rates))]
    print(f"{'':<7} fastest engine run's time: " + ", ".join(f"{k} {v:.1%}" for k, v in fastest.items())
          + f"; its model time {fastest['infer'] / max(engine_rates) * 1000:.0f} ms/image vs "
            f"bare {1000 / max(bare_rates):.0f} ms/image")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="fasterrcnn_mobilenet_v3_large_320_fpn")
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--frames", type=int, default=32, help="video frames (0: no video run)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--detections", type=int, default=20, help="objects per image the model outputs")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--format", choices=("png", "jpg"), default="png",
                        help="image files to read (COCO's own images are JPEGs; PNG costs more to decode)")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    spec = get_spec(args.model)
    device = choose_device(args.device)
    kwargs = dense_kwargs(spec.task, spec.name, args.detections)
    torch.manual_seed(0)
    loaded = load_model(spec, None, model_kwargs=kwargs)
    config = PredictConfig(model=spec.name, weights=None, device=args.device, batch_size=args.batch,
                           score_threshold=0.0, model_kwargs=kwargs)
    predictor = Predictor(loaded.spec, loaded.model, device, score_threshold=0.0)
    print(f"{spec.name} ({spec.task}), random weights, device {device}, {torch.get_num_threads()} torch threads, "
          f"batch {args.batch}, {width}x{height}")

    with tempfile.TemporaryDirectory(prefix="kinetag_bench_") as tmp:
        folder = Path(tmp)
        paths = []
        for k, frame in enumerate(synthetic_frames(args.images, width, height, seed=1)):
            paths.append(folder / "images" / f"img_{k:04d}.{args.format}")
            paths[-1].parent.mkdir(exist_ok=True)
            Image.fromarray(frame).save(paths[-1])
        started = time.perf_counter()
        for p in paths:  # what the engine's prefetch thread does per image
            to_uint8(read_image(p))
        decode_ms = (time.perf_counter() - started) / len(paths) * 1000
        tensors = [to_tensor(read_image(p)) for p in paths]
        bare(predictor, tensors[:args.batch], args.batch)  # warm-up: oneDNN picks its kernels

        def image_assets(store):
            return store.add_assets([Asset(path=str(p), width=width, height=height) for p in paths])

        print(f"decoding a {width}x{height} {args.format.upper()} for the model: {decode_ms:.1f} ms of CPU the bare loop does not spend")
        ratios = [compare("images", lambda: bare(predictor, tensors, args.batch),
                          lambda: engine(folder, image_assets, config, loaded), args.repeats)]

        if args.frames:
            video = folder / "clip.mp4"
            write_video(video, synthetic_frames(args.frames, width, height, seed=2), fps=25)
            started = time.perf_counter()
            with VideoReader(video) as reader:
                frames = [to_tensor(f) for _, f in reader.iter_frames()]
            print(f"decoding a video frame to a tensor: {(time.perf_counter() - started) / len(frames) * 1000:.1f} ms")

            def video_asset(store):
                return [store.add_asset(Asset(path=str(video), width=width, height=height, kind=AssetKind.VIDEO,
                                              fps=25.0, num_frames=len(frames)))]

            ratios.append(compare("video", lambda: bare(predictor, frames, args.batch),
                                  lambda: engine(folder, video_asset, config, loaded), args.repeats))
    print("goal engine/bare >= 0.95: " + ("met" if min(ratios) >= 0.95 else "NOT met"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
