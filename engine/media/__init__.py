"""Image and video I/O shared by inference, the GUI and the sample generator (Qt-free)."""
from engine.media.errors import MediaError
from engine.media.images import image_size, read_image
from engine.media.video import VideoReader, write_video

__all__ = ["MediaError", "read_image", "image_size", "VideoReader", "write_video"]
