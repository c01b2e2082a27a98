"""A deterministic, fully annotated sample project (``kinetag sample``).

Synthetic scenes of coloured shapes and stick-figure people with exact masks,
COCO keypoints, captions and, optionally, a short video with tracks: enough to
try every tool and model of the app without any data of one's own.
"""
from engine.sample.generate import SampleResult, generate_sample
from engine.sample.skeleton import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON

__all__ = ["generate_sample", "SampleResult", "PERSON_KEYPOINTS", "PERSON_SKELETON", "PERSON_FLIP_PAIRS"]
