"""The prediction job: a model over a project's images and video frames, written to the store.

Three threads overlap: the prefetch thread decodes batch n+1 and the writer
thread commits batch n-1 while the job's thread runs the model on batch n and
converts its outputs. Each batch is one transaction; ``store.replace_predictions``
swaps only this model version's unreviewed predictions, so a re-run never
touches what a human created, accepted, corrected or rejected.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

import torch

from engine.inference.categories import ensure_categories, ensure_model_version
from engine.inference.device import choose_device
from engine.inference.errors import InferenceError
from engine.inference.predictor import SEMANTIC_MIN_SIZE, Predictor, to_uint8
from engine.inference.prefetch import Prefetcher, Source
from engine.inference.registry import get_spec
from engine.inference.weights import (
    LoadedModel, download_weights, load_model, split_model_kwargs, weights_filename, weights_present,
)
from engine.inference.writer import BatchWriter, Written
from engine.jobs import CancelToken, Progress


@dataclass
class PredictConfig:
    """``weights``: None = random init (tests, benchmarks), "default" = torchvision's published
    weights, anything else = path of a weights file. ``model_kwargs`` go to the torchvision
    builder (e.g. ``{"min_size": 128, "max_size": 160, "box_score_thresh": 0.0}``); for
    segmentation models min_size/max_size size the input instead."""
    model: str
    weights: str | None = "default"
    device: str = "auto"
    batch_size: int = 4
    score_threshold: float | None = None  # None: the model's default
    category_names: list[str] | None = None
    amp: bool = False  # fp16 autocast; CUDA only, ignored elsewhere
    model_kwargs: dict = field(default_factory=dict)
    num_classes: int | None = None  # random init only
    keypoint_threshold: float = 0.0
    seed: int | None = None  # random init only: reproducible weights
    prefetch_batches: int = 2


@dataclass
class PredictSummary:
    model_version_id: int
    images: int = 0      # still images predicted
    frames: int = 0      # video frames predicted
    instances: int = 0   # predictions written
    skipped: int = 0     # images / frames that could not be read
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Where the job's own thread spent its time: "setup" (model, categories, version), "wait"
    # (for the prefetch thread: decoding did not keep up), "infer", "convert", "write" (waiting
    # for the writer thread: the store did not keep up).
    timings: dict = field(default_factory=dict)


def plan_sources(store, asset_ids=None, frames: dict | None = None) -> list[Source]:
    """What to read, in order: the given assets (all when neither is given); each video's frames are
    ``frames[asset_id]`` = (start, stop, step) or, if absent/None, all of them."""
    frames = dict(frames or {})
    if asset_ids is None and not frames:
        assets = store.assets()
    else:
        ids = list(dict.fromkeys([*(asset_ids or []), *frames]))
        by_id = {a.id: a for a in store.assets(ids=ids)}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise InferenceError(f"no asset with id {', '.join(map(str, unknown))} in this project")
        assets = [by_id[i] for i in ids]  # in the caller's order
    sources = []
    for asset in assets:
        path = store.resolve(asset)
        if not asset.is_video:
            sources.append(Source(asset.id, path))
            continue
        start, stop, step = (*(frames.get(asset.id) or (0, None)), 1)[:3]  # (start, stop[, step])
        start = start or 0
        stop = asset.num_frames if stop is None else min(stop, asset.num_frames)
        if step is None or step < 1 or start < 0:
            raise InferenceError(f"asset {asset.id} ({asset.path}): bad frame range ({start}, {stop}, {step})")
        sources.append(Source(asset.id, path, range(start, stop, step)))
    return sources


def _load(token: CancelToken, config: PredictConfig):
    """Load the model; a first use of published weights downloads them, yielding byte progress."""
    spec = get_spec(config.model)
    if config.weights is None and config.seed is not None:
        torch.manual_seed(config.seed)
    if config.weights is not None and str(config.weights) == "default" and not weights_present(spec):
        yield from _download(token, spec)
    return load_model(spec, config.weights, num_classes=config.num_classes, model_kwargs=config.model_kwargs)


def _download(token: CancelToken, spec):
    events: queue.Queue = queue.Queue()
    failure: list[BaseException] = []

    def report(done: int, total: int | None) -> None:
        token.raise_if_cancelled()  # stops the download between chunks
        events.put((done, total))

    def run() -> None:
        try:
            download_weights(spec, report)
        except BaseException as exc:  # re-raised on the job's thread
            failure.append(exc)
        finally:
            events.put(None)

    threading.Thread(target=run, name="kinetag-download", daemon=True).start()
    name, shown = weights_filename(spec), 0.0
    while (event := events.get()) is not None:
        if time.monotonic() - shown > 0.2 or event[0] == event[1]:
            shown = time.monotonic()
            yield Progress(event[0], event[1], f"downloading {name}")
    if failure:
        raise failure[0]


def make_predictor(loaded: LoadedModel, config: PredictConfig, device=None) -> Predictor:
    _, sizes = split_model_kwargs(loaded.spec, config.model_kwargs)
    return Predictor(loaded.spec, loaded.model, device or choose_device(config.device),
                     score_threshold=config.score_threshold, category_names=config.category_names,
                     amp=config.amp, keypoint_threshold=config.keypoint_threshold,
                     min_size=sizes.get("min_size", SEMANTIC_MIN_SIZE), max_size=sizes.get("max_size"))


def predict_job(token: CancelToken, store, config: PredictConfig, asset_ids=None, frames: dict | None = None,
                model: LoadedModel | None = None):
    """Job generator: yields Progress per batch once it is committed (``data`` = the
    (asset_id, frame_index) pairs written, ``errors`` = images/frames skipped), returns a
    ``PredictSummary``.

    ``model``: an already loaded model to use instead of loading ``config.weights``
    (the GUI keeps one warm between runs)."""
    started = time.perf_counter()
    get_spec(config.model)  # an unknown name fails before any work starts
    if config.batch_size < 1:
        raise InferenceError(f"batch size must be at least 1, got {config.batch_size}")
    if model is not None and model.spec.name != config.model:
        raise InferenceError(f"the loaded model is {model.spec.name}, the configuration asks for {config.model}")
    sources = plan_sources(store, asset_ids, frames)
    total = sum(s.count for s in sources)
    videos = {s.asset_id for s in sources if s.frames is not None}
    device = choose_device(config.device)
    background = device.type == "cpu"  # the model keeps every core busy: decoding takes the gaps
    # Decoding starts at once: the first batches are ready by the time the model is.
    prefetcher = Prefetcher(sources, to_uint8, config.batch_size, config.prefetch_batches, background)
    writer = None
    try:
        loaded = model if model is not None else (yield from _load(token, config))
        predictor = make_predictor(loaded, config, device)
        author = f"model:{loaded.spec.name}"
        with store.transaction():
            label_map = ensure_categories(store, loaded.spec, predictor.names, author)
            version = ensure_model_version(store, loaded, label_map)
        summary = PredictSummary(model_version_id=version.id)
        clock = _Stopwatch(summary.timings, started)
        clock.lap("setup")
        writer = BatchWriter(store, version.id, label_map, author)
        done = 0

        def report(written: Written) -> Progress:
            nonlocal done
            batch = written.batch
            videos_done = sum(1 for item in batch.items if item.asset_id in videos)
            summary.frames += videos_done
            summary.images += len(batch.items) - videos_done
            summary.instances += written.instances
            summary.skipped += batch.failed
            summary.errors.extend(batch.errors)
            done += batch.count
            return Progress(done, total, f"{summary.instances} predictions", data=written.pairs,
                            errors=list(batch.errors))

        for batch in prefetcher:
            clock.lap("wait")
            token.raise_if_cancelled()
            predictions = []
            if batch.items:
                raw = predictor.infer([item.tensor for item in batch.items])
                clock.lap("infer")
                predictions = predictor.convert(raw, [item.size for item in batch.items])
                clock.lap("convert")
            if writer.pending:
                progress = report(writer.collect())
                clock.lap("write")
                yield progress
                token.raise_if_cancelled()  # a cancel here drops this batch's predictions unwritten
                clock.restart()  # the consumer's time between batches is not the job's
            writer.submit(batch, predictions)
        if writer.pending:
            progress = report(writer.collect())
            clock.lap("write")
            yield progress
    finally:
        prefetcher.close()
        if writer is not None:
            writer.close()
    summary.seconds = time.perf_counter() - started
    return summary


class _Stopwatch:
    def __init__(self, totals: dict, start: float):
        self._totals, self._last = totals, start

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self._totals[name] = self._totals.get(name, 0.0) + now - self._last
        self._last = now

    def restart(self) -> None:
        self._last = time.perf_counter()
