from engine.geometry.masks import (
    decode_mask, encode_mask, mask_area, mask_bbox, normalize_rle, polygons_to_rle,
)

__all__ = ["decode_mask", "encode_mask", "mask_area", "mask_bbox", "normalize_rle", "polygons_to_rle"]
