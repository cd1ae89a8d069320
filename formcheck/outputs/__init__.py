"""The outputs layer: what a person reads or looks at, made from core results.

Drawing on frames (``overlay``), ``angles.png`` (``plots``), the printable HTML report
(``printable``) and treatment plan (``plan_print``), report.json / reps.csv and the rep reasons
worded once (``tables``), and the one colour palette (``palette``).

May import: ``formcheck.core``, ``formcheck.edges``, ``formcheck.errors``, ``formcheck`` (the
version), itself and third-party packages. Never a face (``tests/test_layers.py`` checks).
"""
