"""Start the Kinetag window: ``python main.py [PROJECT]`` (the same as ``kinetag gui [PROJECT]``)."""
import sys

from app.application import run

if __name__ == "__main__":
    sys.exit(run(sys.argv))
