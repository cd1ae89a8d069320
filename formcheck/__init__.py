"""formcheck: a virtual dowel that checks lumbar posture rep by rep from one side camera."""

__version__ = "0.1.0"
