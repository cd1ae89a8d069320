"""The one error type users see: every message is a plain sentence, never a traceback."""

from __future__ import annotations


class FormcheckError(Exception):
    """A problem with the user's input or set-up, worded for the user."""


class VideoError(FormcheckError):
    """The file is not a video formcheck can read, or cannot be written."""


class ModelError(FormcheckError):
    """The pose model file is missing or unusable."""
