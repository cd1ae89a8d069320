import math

from formcheck.core.drills.base import Rep
from formcheck.evaluate import match_reps, real_clip_row, real_summary, roc_auc


def test_roc_auc():
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == 0.0
    assert roc_auc([0.5, 0.5], [True, False]) == 0.5
    assert math.isnan(roc_auc([0.1, float("nan")], [True, True]))


def test_match_reps_pairs_by_bottom_time_within_tolerance():
    found = [Rep(index=1, start_s=0, bottom_s=2.1, end_s=3), Rep(index=2, start_s=4, bottom_s=6.0, end_s=7)]
    truth = [{"bottom_s": 2.0}, {"bottom_s": 4.0}, {"bottom_s": 6.2}]
    pairs = match_reps(found, truth)
    assert [p[1].index if p[1] else None for p in pairs] == [1, None, 2]


def _report(curves: list[float | None], faults: list[bool], reps: int) -> dict:
    return {
        "drill": "hinge",
        "summary": {"rep_count": reps, "full_count": reps, "partial_count": 0},
        "assessable": {"value": True, "reasons": []},
        "warnings": [],
        "reps": [
            {"verdict": "flagged" if bad else "good", "metrics": {"lumbar_curvature": c},
             "faults": [{"code": "lumbar_flexion"}] if bad else []}
            for c, bad in zip(curves, faults)
        ],
    }


def _label(name: str, rounded: str, reps: str = "1") -> dict:
    return {"file": name, "exercise": "deadlift", "view": "side", "reps_counted": reps, "back_rounding": rounded}


def test_real_clips_are_scored_from_the_report_a_user_sees():
    rows = [
        real_clip_row(_label("a.mp4", "yes"), _report([0.45], [True], 1)),
        real_clip_row(_label("b.mp4", "no", "2"), _report([0.1, 0.2], [False, False], 2)),
        real_clip_row(_label("c.mp4", "no", "~3"), _report([0.32], [True], 1)),
        real_clip_row(_label("d.mp4", "no"), _report([], [], 0)),  # no verdict: not counted as judged
    ]
    assert [r["clip_verdict"] for r in rows] == ["rounded", "neutral", "rounded", None]
    s = real_summary(rows)
    assert s["clips"] == 4 and s["clips_judged"] == 3
    assert s["sensitivity"] == 1.0 and s["specificity"] == 0.5 and s["balanced_accuracy"] == 0.75
    assert s["highest_neutral"] == 0.32 and s["lowest_rounded"] == 0.45
    assert math.isclose(s["margin"], 0.13)
    assert s["count_exact"] == (2, 3)  # "~3" is not an exact label; d counted 0 of 1


def test_the_full_lab_covers_three_bodies_at_0_30_40_degrees_with_both_facings():
    from formcheck.evaluate import LAB_BODIES, lab_conditions

    moving = [c for c in lab_conditions(quick=False) if c.group in ("hinge", "hinge-all-rounded") and c.name.count("/") == 2]
    for view in (30.0, 40.0):
        at = [c for c in moving if c.azimuth == view]
        assert {c.body for c in at} == set(LAB_BODIES)
        assert {c.facing for c in at} == {"left", "right"}
    assert any(c.azimuth == 60.0 for c in moving)  # past the limit: refused, not guessed
    every_rep = [c for c in moving if c.group == "hinge-all-rounded"]
    assert {c.body for c in every_rep} == set(LAB_BODIES) and all(min(c.lumbar) >= 25.0 for c in every_rep)
    quick = lab_conditions(quick=True)
    assert {c.body for c in quick} == {LAB_BODIES[0]} and {c.azimuth for c in quick if c.drill != "side-plank"} == {0.0}


def test_lab_figures_are_given_per_body_as_well_as_per_view():
    from formcheck.evaluate import lab_summary

    def clip(body: str, view: float) -> dict:
        return {"drill": "hinge", "body": body, "view": view, "variant": False, "reps_found": 2, "reps_true": 2,
                "drill_ok": True, "trunk_err": 1.0, "hip_err": 2.0}

    def rep(body: str, view: float, deg: float, flagged: bool) -> dict:
        return {"drill": "hinge", "body": body, "view": view, "variant": False, "true_deg": deg, "found": True,
                "verdict": "flagged" if flagged else "good", "codes": ["lumbar_flexion"] if flagged else [], "score": deg / 100}

    rows = [clip("a", 30.0), clip("b", 30.0)]
    reps = [rep("a", 30.0, 30.0, True), rep("a", 30.0, 0.0, False), rep("b", 30.0, 30.0, False), rep("b", 30.0, 0.0, True)]
    assert lab_summary(rows, reps)["hinge 30°"]["sens"] == (1, 2)
    per_body = lab_summary(rows, reps, by_body=True)
    assert per_body["hinge 30° a"]["sens"] == (1, 1) and per_body["hinge 30° a"]["spec"] == (1, 1)
    assert per_body["hinge 30° b"]["sens"] == (0, 1) and per_body["hinge 30° b"]["spec"] == (0, 1)


def test_a_clip_without_a_verdict_gives_the_reports_own_reason():
    report = _report([None], [False], 1)
    report["headline"] = "The lower back could not be judged in any rep: the person is too small in the picture."
    row = real_clip_row(_label("e.mp4", "yes"), report)
    assert row["clip_verdict"] is None and "too small" in row["why_no_verdict"]


def test_a_dead_bug_clip_is_judged_by_its_own_arch_reading_and_kept_off_the_curve_scale():
    arch = {"drill": "dead-bug", "summary": {"rep_count": 2, "full_count": 2, "partial_count": 0},
            "assessable": {"value": True, "reasons": []}, "warnings": [], "headline": "",
            "reps": [{"verdict": "good", "metrics": {"lumbar_arch": 0.9}, "faults": []}] * 2}
    row = real_clip_row(_label("db.mp4", "no", "2"), arch)
    assert row["clip_verdict"] == "neutral" and row["lumbar_score"] == 0.9
    rows = [row, real_clip_row(_label("a.mp4", "yes"), _report([0.45], [True], 1)),
            real_clip_row(_label("b.mp4", "no"), _report([0.1], [False], 1))]
    s = real_summary(rows)
    assert s["clips_judged"] == 3 and s["specificity"] == 1.0
    assert s["highest_neutral"] == 0.1 and s["auc"] == 1.0  # the arch's 0.9 is another scale
