"""A terminal progress bar for jobs (tqdm), shared by the CLI commands."""
from __future__ import annotations

import sys

from tqdm import tqdm

from engine.jobs import CancelToken, Cancelled, JobGenerator, Progress, run_job


def run_with_bar(job: JobGenerator, token: CancelToken, description: str):
    """Run a job with a progress bar; Ctrl-C cancels it cleanly between batches."""
    bar = tqdm(desc=description, unit="it", file=sys.stderr, dynamic_ncols=True, disable=None)

    def show(progress: Progress) -> None:
        if progress.total is not None and bar.total != progress.total:
            bar.total = progress.total
        bar.n = progress.done
        if progress.message:
            bar.set_postfix_str(progress.message, refresh=False)
        for error in progress.errors:
            bar.write(f"warning: {error}", file=sys.stderr)
        bar.refresh()

    try:
        return run_job(job, show)
    except KeyboardInterrupt:
        token.cancel()
        raise
    except Cancelled:
        raise KeyboardInterrupt from None
    finally:
        bar.close()
