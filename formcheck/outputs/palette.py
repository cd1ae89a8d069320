"""The one palette: every colour formcheck draws with, named for what it shows.

Frames are RGB uint8 images (OpenCV draws on them as given), so frame colours are RGB
tuples; charts, plots and the printable page take hex strings.
"""

from __future__ import annotations

# -- on video frames (RGB) -----------------------------------------------------------------
GREEN = (40, 200, 90)
RED = (235, 50, 50)
GREY = (170, 170, 170)
WHITE = (255, 255, 255)
DOWEL = (222, 170, 90)  # wood
OUTLINE = (80, 190, 255)
PANEL = (25, 25, 25)

# -- charts and plots (hex) ----------------------------------------------------------------
GOOD_HEX = "#43a047"
FLAGGED_HEX = "#e53935"
UNASSESSED_HEX = "#9e9e9e"
VERDICT_HEX = {"good": GOOD_HEX, "flagged": FLAGGED_HEX, "unassessed": UNASSESSED_HEX}
HIP_HEX = "#1e88e5"
TRUNK_HEX = "#8e24aa"
KNEE_HEX = "#fb8c00"
LUMBAR_HEX = "#37474f"
THRESHOLD_HEX = FLAGGED_HEX  # the rounding threshold line
ZERO_HEX = UNASSESSED_HEX  # the baseline (zero) line
SETS_HEX = HIP_HEX
GOOD_RATIO_HEX = "#2e7d32"
PAIN_BEFORE_HEX = "#90a4ae"
PAIN_AFTER_HEX = FLAGGED_HEX
NEXT_DAY_PAIN_HEX = TRUNK_HEX
PAIN_LIMIT_HEX = "#c62828"

# -- the printable page (hex) ---------------------------------------------------------------
TEXT_HEX = "#222"
GOOD_TEXT_HEX = GOOD_RATIO_HEX
FLAGGED_TEXT_HEX = PAIN_LIMIT_HEX
FLAGGED_ROW_HEX = "#fdecea"
NOTE_BG_HEX = "#fff8e1"
NOTE_EDGE_HEX = "#f9a825"
