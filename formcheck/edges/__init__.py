"""The edges layer: adapters between the core and the outside world.

The MediaPipe pose model (``mediapipe``: results become ``PoseFrame``), video decode and
encode (``video``), stored poses (``posefile``), file utilities (``files``: atomic write,
content digest), the SQLite training log (``log``, with ``log_schema`` and ``log_rows``) and
treatment-plan files in TOML or JSON (``planfile``).

May import: ``formcheck.core``, ``formcheck.errors``, ``formcheck`` (the version), itself and
third-party packages. Never outputs or a face (``tests/test_layers.py`` checks).
"""
