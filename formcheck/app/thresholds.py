"""Threshold sliders for the review page: which thresholds, their ranges, the Settings they make.

Slider values live in ``st.session_state`` under ``thr:<name>`` (persisting across pages),
so the same thresholds apply to every clip reviewed in a session until reset.
"""

from __future__ import annotations

import streamlit as st

from formcheck.core.settings import Settings

# The thresholds a therapist is most likely to adjust, per drill (all are in settings.py).
COMMON = ("lumbar_abs_threshold", "lumbar_rel_threshold")
# A drill whose back is judged on lines of its own shows those in place of the common two.
BACK_LINES = {"squat": ("squat_abs_threshold", "squat_rel_threshold")}
PER_DRILL = {
    "hinge": ("lumbar_ref_threshold", "hinge_shallow_deg", "hinge_knee_locked_deg", "neck_change_deg"),
    "squat": ("squat_max_trunk_deg", "squat_shallow_deg", "heel_lift_frac"),
    "bird-dog": ("birddog_lumbar_threshold", "birddog_pelvis_hike_deg", "birddog_pelvis_rotation_deg", "birddog_too_high_deg"),
    "dead-bug": ("deadbug_arch_threshold", "deadbug_leg_low_deg", "deadbug_min_rep_s"),
    "side-plank": ("sideplank_sag_deg", "sideplank_pike_deg", "sideplank_rotation_deg", "sideplank_up_deg"),
}
FLOOR = ("dead-bug", "side-plank")  # read by the floor line and the body line, not the back curve
DOCS = {name: (default, unit, doc) for name, default, unit, doc in Settings.field_docs()}
LABELS = Settings.field_labels()
# Units as a reader says them; the back curve is a number without a unit of its own.
UNIT_WORDS = {"deg": "degrees", "curvature": "back-curve units", "of body length": "share of body length", "s": "seconds",
              "of trunk length": "share of trunk length",
              "px": "pixels", "0–1": "0–1", "of range": "share of your range"}


def slider_label(name: str) -> str:
    """"Lower-back rounding allowed (vs own reps), in back-curve units"."""
    unit = DOCS[name][1]
    return f"{LABELS[name]}, in {UNIT_WORDS.get(unit, unit)}"


def key(name: str) -> str:
    return f"thr:{name}"


def slider_range(name: str) -> tuple[float, float, float]:
    default, unit, _ = DOCS[name]
    if unit == "deg":
        return 0.0, float(max(90.0, 2 * default)), 1.0
    if unit.startswith("of ") or unit == "0–1":
        return 0.0, 1.0, 0.01
    return 0.05, float(max(1.5, 3 * default)), 0.01  # curvature


def current() -> Settings:
    """Settings from the sliders (defaults for any not touched in this session)."""
    changes = {n: st.session_state[key(n)] for n in DOCS if key(n) in st.session_state}
    return Settings().replace(**changes)


def reset() -> None:
    for name in DOCS:
        st.session_state.pop(key(name), None)


def sliders(drill: str) -> None:
    """The sliders for ``drill``'s thresholds; their values persist for the whole browser session."""
    # A key keeps the expander open across the rerun each slider move causes.
    with st.expander(
        "Thresholds: what counts as a fault (the reps are judged again in about a second)", key="review_thresholds_open"
    ):
        for name in BACK_LINES.get(drill, () if drill in FLOOR else COMMON) + PER_DRILL.get(drill, ()):
            default, unit, doc = DOCS[name]
            lo, hi, step = slider_range(name)
            st.session_state.setdefault(key(name), float(default))
            st.slider(
                slider_label(name),
                min_value=lo,
                max_value=hi,
                step=step,
                key=key(name),
                help=f"{doc[0].upper()}{doc[1:]}. Default {default:g} ({UNIT_WORDS.get(unit, unit)}). Setting: `{name}`.",
                persist_state="session",
            )
        st.button("Reset to defaults", on_click=reset, key="review_reset")
