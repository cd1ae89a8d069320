"""The Streamlit app's pages and helpers (``app.py`` at the repo top wires them together).

Pages: ``live_page`` (webcam coaching), ``review_page`` (clip review for therapists),
``history_page`` (training log). Logic lives in the library (``formcheck.live``,
``formcheck.outputs.printable``) or in ``results`` and ``charts`` here, which make no Streamlit
calls; ``components`` and ``thresholds`` are the widgets the pages share.
"""
