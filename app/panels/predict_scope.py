"""Which assets a model run covers, and running a prediction over many assets in chunks.

``predict_job`` takes explicit asset ids; SQLite limits how many ids one query
may bind, so a run over "everything unverified" in a 100k-asset project goes
through in chunks, one job after the other, as one job to the GUI.
"""
from __future__ import annotations

from engine.jobs import CancelToken, Progress
from engine.model import AssetState
from app.panels.common import format_seconds

CHUNK = 2000

SCOPES = {
    "current": "Current image / frame",
    "selected": "Selected assets",
    "unverified": "Everything not yet verified",
}


def unverified_ids(store) -> list[int] | None:
    """Ids of the assets not verified yet; None when that is every asset (the job then takes all)."""
    if store.asset_count(AssetState.VERIFIED) == 0:
        return None
    out: list[int] = []
    for state in AssetState:
        if state != AssetState.VERIFIED:
            out += [a.id for a in store.assets(state=state)]
    return sorted(out)


def chunked_predict_job(token: CancelToken, store, config, asset_ids: list[int] | None,
                        frames: dict | None = None, predict=None):
    """Job generator: ``predict_job`` over ``asset_ids`` in chunks; returns the list of summaries."""
    if predict is None:
        from engine.inference import predict_job as predict  # torch: only when a run starts
    if asset_ids is None or len(asset_ids) <= CHUNK:
        summary = yield from predict(token, store, config, asset_ids=asset_ids, frames=frames)
        return [summary]
    summaries, done_before, total = [], 0, None
    chunks = [asset_ids[i:i + CHUNK] for i in range(0, len(asset_ids), CHUNK)]
    for n, chunk in enumerate(chunks):
        token.raise_if_cancelled()
        job = predict(token, store, config, asset_ids=chunk)
        last = 0
        while True:
            try:
                step = next(job)
            except StopIteration as stop:
                summaries.append(stop.value)
                break
            last = step.done
            # Images per chunk are known only when the chunk starts: estimate the rest alike.
            if step.total:
                total = done_before + step.total * (len(chunks) - n)
            yield Progress(done_before + step.done, total, f"part {n + 1}/{len(chunks)}: {step.message}",
                           step.data, step.errors)
        done_before += last
    return summaries


def summary_text(summaries) -> str:
    """One line for the panel: what a run (maybe in several chunks) found, where, how fast."""
    images = sum(s.images for s in summaries)
    frames = sum(s.frames for s in summaries)
    skipped = sum(s.skipped for s in summaries)
    what = f"{images} images" + (f" and {frames} video frames" if frames else "")
    text = (f"{sum(s.instances for s in summaries)} predictions on {what} in "
            f"{format_seconds(sum(s.seconds for s in summaries))}")
    return text + (f"; {skipped} skipped (unreadable)" if skipped else "")
