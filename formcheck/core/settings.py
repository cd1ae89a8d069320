"""Every threshold in one object, with its unit and the reason for its default.

Defaults come from the real side-view clips in development and the ground-truth lab (see
README, "How the thresholds were chosen"). Override them from a TOML file (top level or a
``[thresholds]`` table) or ``--set name=value`` on the command line; the app's sliders
write the same fields.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# What each unit can sensibly be: a value outside its field's range is refused with the range.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "0–1": (0.0, 1.0),
    "px": (1.0, 2000.0),
    "deg": (0.0, 180.0),
    "s": (0.0, 60.0),
    "Hz": (0.01, 30.0),  # a cut-off of 0 would freeze the filter
    "Hz per image-height/s": (0.0, 50.0),
    "of range": (0.01, 0.99),
    "curvature": (0.0, 10.0),  # 5 or more turns a rounding check off (no back curves that far)
    "knee/hip": (0.0, 5.0),
    "body lengths": (0.0, 1.0),
    "of body length": (0.0, 1.0),
    "of trunk length": (0.0, 1.0),
}
# (smaller, larger, why): thresholds that must keep this order to mean anything.
ORDERED = (("rep_exit_frac", "rep_enter_frac", "a rep ends when the movement comes back under a smaller share than the one that started it"),)


def _f(default: float, unit: str, doc: str, label: str = "") -> Any:
    """A threshold: default, unit, why; ``label`` is its name in plain words for the app's sliders."""
    return field(default=default, metadata={"unit": unit, "doc": doc, "label": label, "range": UNIT_RANGES.get(unit)})


@dataclass(frozen=True)
class Settings:
    # --- can the back be judged at all ------------------------------------------------
    min_visibility: float = _f(0.5, "0–1", "hips and shoulders must be at least this visible")
    min_body_px: float = _f(80.0, "px", "shoulder–hip length in the source picture below this is too small to read the back (a natively small person is blurred and compressed)")
    min_analysed_body_px: float = _f(
        45.0, "px", "shoulder–hip length in the analysed (downscaled) picture below this is too small, however large the source: real clips halved to 45-85 px read as at full size"
    )
    max_view_deg: float = _f(48.0, "deg", "the back is read, corrected for the view, with the camera up to this far round from a side view by its estimate (lab rep bottoms: true 40° read 33–46°, true 55° read 54–55°); beyond it the person is told which way to turn")
    oblique_judged_deg: float = _f(40.0, "deg", "the view from which the absolute line is raised by all of oblique_abs_margin (from 30° it rises with the view, as the fit ends lower on the trunk); past it the estimate cannot tell 40° from 45° either")
    oblique_abs_margin: float = _f(0.1, "curvature", "how much the absolute rounding line rises off side-on: the fit to 0.7 of the trunk at 40° reads real side-view backs higher (neutral up to +0.40, against +0.29 to 0.8); sample hinge_oblique_cluttered, 45°: flat reps pass, the 30° rep is flagged")
    view_tau_s: float = _f(0.5, "s", "time constant of the camera-angle average the back is corrected with (the estimate wobbles a few degrees a frame)")
    oblique_min_trunk_deg: float = _f(60.0, "deg", "a trunk leaning less than this (as from the side; squats, floor deadlifts) is read only up to max_view_upright_deg off side-on")
    max_view_upright_deg: float = _f(38.0, "deg", "view limit for such a trunk: more of an upright back's edge is flank than spine off side-on (lab squats at 40°, read 46–48°, gave false alarms; at 30°, read 33–37°, none)")
    min_trunk_deg: float = _f(30.0, "deg", "trunk must lean this far from vertical for the back curve to mean anything")
    min_profile_coverage: float = _f(0.75, "0–1", "share of the back outline that must be found")
    # --- smoothing ----------------------------------------------------------------------
    smooth_min_cutoff: float = _f(2.0, "Hz", "One Euro filter cut-off at rest (lower = steadier, laggier)")
    smooth_beta: float = _f(0.3, "Hz per image-height/s", "One Euro speed coefficient (higher = less lag when moving)")
    curve_window_s: float = _f(0.25, "s", "the live dowel contacts read the median back curve over this much recent time")
    # --- which way the person faces, and on all fours ------------------------------------
    facing_tau_s: float = _f(1.5, "s", "time constant of the facing vote (re-decided if the person turns round)")
    facing_decide: float = _f(0.04, "body lengths", "smoothed nose–ear offset across the trunk that decides which way the person faces")
    feet_vote_max_trunk_deg: float = _f(50.0, "deg", "the feet vote on the facing only while the trunk leans less than this (standing)")
    all_fours_min_trunk_deg: float = _f(55.0, "deg", "on all fours: trunk at least this far from vertical (with the back up and hands down)")
    all_fours_min_shin_deg: float = _f(50.0, "deg", "on all fours: shins at least this far from vertical (kneeling, not a deadlift set-up)")
    auto_floor_min_s: float = _f(
        1.5, "s", "--drill auto: a floor position (all fours, on the back, on one side) held this long, and longer than the person stood upright, names the drill",
        "Time in a floor position that names the drill",
    )
    auto_upright_max_trunk_deg: float = _f(
        25.0, "deg", "--drill auto: a trunk this close to vertical is standing upright (between standing reps), the time a floor position must outlast",
        "Trunk lean still counted as standing upright",
    )
    # --- rep counting -------------------------------------------------------------------
    setup_still_s: float = _f(0.5, "s", "hold still this long in the start position before reps count")
    rest_window_s: float = _f(5.0, "s", "start-position baselines (head, heels, the back on all fours) are medians over the last this long spent in it")
    rep_enter_frac: float = _f(0.45, "of range", "a rep starts when the movement passes this share of the person's range")
    rep_exit_frac: float = _f(0.25, "of range", "and ends when it comes back under this share (hysteresis)")
    rep_min_duration_s: float = _f(0.8, "s", "shorter excursions are jitter, not reps")
    bottom_window_s: float = _f(0.25, "s", "rep-bottom metrics are medians over ±this around the deepest frame")
    # --- lumbar flexion (the virtual dowel) ---------------------------------------------
    lumbar_abs_threshold: float = _f(0.35, "curvature", "back curve at the bottom above this is rounded whatever the baseline (real clips: neutral backs up to 0.29, rounded from 0.45)", "Lower-back rounding allowed (any rep)")
    lumbar_rel_threshold: float = _f(0.15, "curvature", "rise of the back curve over the person's own better reps that counts as rounding", "Lower-back rounding allowed (vs own reps)")
    lumbar_ref_threshold: float = _f(0.25, "curvature", "hinges: rise of the back curve over the patient's reference set (their neutral back, marked by the therapist, at the same view and trunk lean) that counts as rounding; catches a set rounded on every rep (lab, benchmarks/reference_set.py: flat reps up to 0.22 over a reference from another session, 30-degree reps 0.23-0.55; one real lifter's two neutral sets differ by up to 0.09)", "Lower-back rounding allowed (vs the reference set)")
    # --- hinge --------------------------------------------------------------------------
    hinge_min_hip_deg: float = _f(30.0, "deg", "hip flexion a bend must reach to be a hinge rep")
    hinge_expected_range_deg: float = _f(70.0, "deg", "assumed hinge depth until the person's own reps are seen")
    hinge_shallow_deg: float = _f(45.0, "deg", "hip flexion at the bottom below this is too shallow", "Shallowest hinge allowed (hip bend)")
    hinge_knee_locked_deg: float = _f(5.0, "deg", "knee flexion below this at the bottom means locked knees", "Knee bend below which the knees count as locked")
    hinge_squat_ratio: float = _f(0.75, "knee/hip", "knee flexion over hip flexion above this is a squat, not a hinge")
    hands_low_margin: float = _f(
        0.15, "body lengths", "hands within this of knee height, or lower, at the bottom mark a deadlift (a hinge)"
    )
    hinge_tail_hands_above_knee: float = _f(
        0.5, "body lengths", "a hinge the clip catches only on its way up is not counted when the hands are higher than this above the knees (hands on the hips or a dowel: begun from standing, not lifted from the floor)"
    )
    deadlift_min_trunk_deg: float = _f(
        45.0, "deg", "with the hands that low, a trunk leaning at least this far at the bottom is a deadlift, however bent the knees"
    )
    neck_change_deg: float = _f(30.0, "deg", "head tipped more than this from its set-up angle to the trunk loses the head contact", "Head movement allowed (vs the start)")
    hinge_deadlift_head_back_deg: float = _f(
        60.0, "deg", "at a deadlift's bottom (hands hanging at the knees or lower) the head may tip back this far: lifters look a few metres ahead (real neutral deadlifts 20–52°)"
    )
    # --- squat --------------------------------------------------------------------------
    squat_min_knee_deg: float = _f(40.0, "deg", "knee flexion a descent must reach to be a squat rep")
    squat_expected_range_deg: float = _f(90.0, "deg", "assumed squat depth until the person's own reps are seen")
    squat_shallow_deg: float = _f(60.0, "deg", "knee flexion at the bottom below this is too shallow", "Shallowest squat allowed (knee bend)")
    squat_max_trunk_deg: float = _f(55.0, "deg", "trunk lean at the bottom beyond this is excessive", "Forward lean allowed at the bottom")
    squat_abs_threshold: float = _f(0.25, "curvature", "squats: back curve at the bottom above this is butt wink whatever the other reps, so a set winking on every rep is caught (real neutral squats read up to 0.16, lab clean squats up to 0.23; lab 25° winks 0.28-0.45 on four of six bodies)", "Tailbone tuck allowed (any rep)")
    squat_rel_threshold: float = _f(0.08, "curvature", "squats: rise over the person's better reps that counts as butt wink (the trunk is more upright, so rounding bends the outline less)", "Tailbone tuck allowed (vs own reps)")
    heel_lift_frac: float = _f(0.15, "of body length", "heel rising this much above its set-up height is a heel lift", "Heel lift allowed")
    # --- bird dog -----------------------------------------------------------------------
    birddog_min_reach_deg: float = _f(
        40.0, "deg", "arm raised this far from hanging counts as a reach (a real reach filmed close read 50°)"
    )
    birddog_expected_range_deg: float = _f(85.0, "deg", "assumed reach until the person's own reps are seen")
    birddog_too_high_deg: float = _f(20.0, "deg", "arm or leg more than this above level is reaching too high", "Arm or leg above level allowed")
    birddog_hold_band_deg: float = _f(10.0, "deg", "the reach is held while the arm stays within this of its highest (the hold time)")
    birddog_lumbar_threshold: float = _f(0.14, "curvature", "change of the back curve from the quadruped start that counts as sag or rounding", "Lower-back change allowed (vs the start on all fours)")
    birddog_pelvis_hike_deg: float = _f(25.0, "deg", "hip line turned toward the ribs more than this from the start is a hike (only gross hikes: see README)", "Hip hitch allowed")
    birddog_pelvis_rotation_deg: float = _f(25.0, "deg", "hip line rolled open more than this from the start is a rotation (only gross rotations: see README)", "Hip roll allowed")
    birddog_pelvis_min_view_deg: float = _f(30.0, "deg", "pelvis tilt and turn are judged only when the camera is at least this far round from a pure side view")
    # --- dead bug -----------------------------------------------------------------------
    deadbug_min_reach_deg: float = _f(30.0, "deg", "an arm or leg moved this far from its start position counts as a reach")
    deadbug_expected_range_deg: float = _f(70.0, "deg", "assumed reach until the person's own reps are seen")
    deadbug_arch_threshold: float = _f(0.03, "of trunk length", "lower back lifted this much further off the floor than at the start is an arch", "Low-back arch allowed (vs the start position)")
    deadbug_min_rep_s: float = _f(1.5, "s", "a reach out and back quicker than this is rushed", "Shortest reach out and back")
    deadbug_leg_low_deg: float = _f(12.0, "deg", "the reaching leg lower than this above the floor, with the back arching, is too low", "Lowest leg while arching")
    # --- side plank ---------------------------------------------------------------------
    sideplank_up_deg: float = _f(20.0, "deg", "hips within this of the straight shoulder–ankle line are up: the hold runs", "Hips counted as up within")
    sideplank_sag_deg: float = _f(7.0, "deg", "hips this far below the line from shoulder to ankle (or knee) are sagging", "Hip sag allowed")
    sideplank_pike_deg: float = _f(6.0, "deg", "hips this far above that line are piking (the model reads a pike about a third smaller than it is: lab)", "Hip pike allowed")
    sideplank_rotation_deg: float = _f(30.0, "deg", "shoulders turned this far against the hips, from 3D landmarks (only gross turns: the lab did not see 25°)", "Trunk turn allowed")
    sideplank_min_hold_s: float = _f(2.0, "s", "time up shorter than this is getting into position, not a hold")
    # --- live cues ----------------------------------------------------------------------
    cue_cooldown_s: float = _f(3.0, "s", "at most one new spoken/text cue this often")

    # ----------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        """Refuse what no analysis can use: NaN, infinity, a value outside its field's range,
        or thresholds that contradict each other. Every way of making Settings passes here."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            lo, hi = f.metadata["range"] or (-math.inf, math.inf)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and lo <= value <= hi):
                raise FormcheckError(f"{f.name} must be a number from {lo:g} to {hi:g} ({f.metadata['unit']}), not {value!r}.")
        for small, large, why in ORDERED:
            if getattr(self, small) >= getattr(self, large):
                raise FormcheckError(
                    f"{small} ({getattr(self, small):g}) must be below {large} ({getattr(self, large):g}): {why}."
                )

    @classmethod
    def valid_range(cls, name: str) -> tuple[float, float]:
        """The values ``name`` accepts, inclusive."""
        return next(f.metadata["range"] for f in dataclasses.fields(cls) if f.name == name)

    @classmethod
    def field_docs(cls) -> list[tuple[str, float, str, str]]:
        """(name, default, unit, meaning) for every threshold: README table, app help."""
        return [(f.name, f.default, f.metadata["unit"], f.metadata["doc"]) for f in dataclasses.fields(cls)]

    @classmethod
    def field_labels(cls) -> dict[str, str]:
        """Plain-words names of the thresholds a therapist adjusts (the others: their field name)."""
        return {f.name: f.metadata["label"] or f.name for f in dataclasses.fields(cls)}

    def replace(self, **changes: float) -> Settings:
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise FormcheckError(f"unknown setting(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        flags = sorted(k for k, v in changes.items() if isinstance(v, bool))
        if flags:
            raise FormcheckError(f"settings must be numbers, not true/false ({', '.join(flags)}).")
        try:
            values = {k: float(v) for k, v in changes.items()}
        except (TypeError, ValueError) as exc:
            raise FormcheckError(f"settings must be numbers ({exc}).") from exc
        return dataclasses.replace(self, **values)

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    def digest(self) -> str:
        """Short stable hash: tells whether stored results were made with these settings."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_toml(cls, path: str | Path, base: Settings | None = None) -> Settings:
        try:
            data = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
        except OSError as exc:
            raise FormcheckError(f"cannot read settings file {path}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise FormcheckError(f"settings file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise FormcheckError(f"settings file {path} is not valid TOML ({exc}).") from exc
        values = data.get("thresholds", data)
        if not isinstance(values, dict):
            raise FormcheckError(
                f"in settings file {path}, thresholds must be a table ([thresholds] then one name = number per line), not {values!r}."
            )
        return (base or cls()).replace(**values)

    def with_assignments(self, assignments: list[str]) -> Settings:
        """Apply ``name=value`` strings from the command line."""
        changes = {}
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep:
                raise FormcheckError(f"--set expects name=value, got {item!r}.")
            changes[name.strip().replace("-", "_")] = value.strip()
        return self.replace(**changes)
