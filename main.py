"""Start the Kinetag window: ``python main.py [PROJECT]`` (the same as ``kinetag gui [PROJECT]``)."""
import multiprocessing
import sys

from app.application import run

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen build's mask raster worker (app/canvas/raster_pool.py)
    sys.exit(run(sys.argv))
