"""Tiny clips made on the fly for command-line tests."""

import numpy as np

from formcheck.edges.video import VideoWriter


def tiny_clip(path, n=10, size=(160, 120)):
    with VideoWriter(path, 10, *size) as w:
        for i in range(n):
            w.write(np.full((size[1], size[0], 3), 60 + i, np.uint8), i / 10)
    return path
