"""COCO import and export (pycocotools-compatible), Qt-free.

``import_coco`` reads a dataset file (instances, person keypoints, captions,
TAO-style video frames) or a detector's results list into a project, all or
nothing; ``export_coco`` writes the project back as one COCO file, keeping the
ids, geometry types and captions an import brought in.
"""
from engine.coco.errors import CocoFormatError
from engine.coco.exporter import ExportReport, default_captions_path, export_coco, export_coco_job
from engine.coco.importer import ImportReport, import_coco, import_coco_job

__all__ = ["CocoFormatError", "ImportReport", "import_coco", "import_coco_job",
           "ExportReport", "default_captions_path", "export_coco", "export_coco_job"]
