"""The core layer: the analysis itself, pure and typed, numpy only, no I/O.

Frame types, settings, landmarks, geometry, smoothing, the spine, per-frame features, the rep
counter, cues, the drills, the streaming analyzer and the session report model. The same
core serves the webcam, uploads and batch. Beside it, the rehabilitation programme as data:
the plan model (``plan``), the default 12-week plan (``programme``) and the progression rule
(``progression``).

May import: the standard library, numpy, ``formcheck.errors`` and ``formcheck.core`` itself.
Nothing else: no MediaPipe, OpenCV, files, plotting or UI (``tests/test_layers.py`` checks).
"""
