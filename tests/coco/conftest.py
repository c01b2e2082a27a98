"""Lets the COCO tests import their shared file builders (``coco_builders``)
under pytest's importlib import mode, which does not put test folders on sys.path."""
import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
