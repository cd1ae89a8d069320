import json

import numpy as np
from stick import hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.core.cues import GOOD_REP, CueBoard
from formcheck.edges.posefile import PoseFile, PoseRecorder


def test_same_frames_live_or_from_a_file_give_identical_reports(tmp_path):
    frames = stream(hinge_set([0.0, 0.15, 0.0]), noise_px=0.7, seed=3)
    live = Analyzer("auto")
    live_results = [live.push(f) for f in frames]
    with PoseRecorder(tmp_path / "pose.npz", {"digest": "x"}) as rec:
        for f in frames:
            rec.append(f)
    replay = Analyzer("auto")
    replay_results = [replay.push(f) for f in PoseFile(tmp_path / "pose.npz")]
    a, b = live.finish().to_dict(), replay.finish().to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["summary"] == {"rep_count": 3, "full_count": 3, "partial_count": 0, "good_count": 2, "flagged_count": 1, "unassessed_count": 0}
    assert [r.phase for r in live_results] == [r.phase for r in replay_results]
    assert [r.cue for r in live_results] == [r.cue for r in replay_results]


def test_frame_results_carry_counter_phase_contacts_and_rep_events():
    frames = stream(hinge_set([0.0, 0.15]))
    a = Analyzer("hinge")
    results = [a.push(f) for f in frames]
    assert results[0].phase == "setup" and results[0].setup_hint
    finished = [r for r in results if r.rep is not None]
    assert [r.rep.verdict for r in finished] == ["good", "flagged"]
    assert results[-1].rep_count == 2 and results[-1].good == 1 and results[-1].flagged == 1
    # Mid-rep of the rounded rep the sacrum / mid-back contacts are lost; in the flat one, kept.
    bottoms = [r for r in results if r.phase == "bottom"]
    assert {r.contacts["sacrum"] for r in bottoms if r.t < 4.5} == {"ok"}
    assert "lost" in {r.contacts["sacrum"] for r in bottoms if r.t > 5.0}
    assert {r.contacts["head"] for r in bottoms} == {"ok"}


def test_cues_respect_the_cooldown_and_are_never_every_frame():
    frames = stream(hinge_set([0.15] * 4, rest_s=0.2))
    a = Analyzer("hinge")
    results = [a.push(f) for f in frames]
    starts = [r.t for r in results if r.new_cue]
    assert len(starts) >= 2
    assert np.all(np.diff(starts) >= a.settings.cue_cooldown_s - 1e-9)
    assert sum(r.new_cue for r in results) < len(results) / 20


def test_cue_board_replaces_only_after_cooldown():
    board = CueBoard(3.0)
    assert board.offer(0.0, "A")
    assert not board.offer(1.0, "B")
    assert board.offer(3.5, "B")
    assert board.current(5.0) == "B" and board.current(7.0) is None
    assert board.offer(10.0, GOOD_REP) and board.offer(10.5, "Flat back", urgent=True)
