import math

import numpy as np

from formcheck.core.reps import Phase, RepCounter


def counter(**kw):
    args = dict(min_depth=30, expected_range=70, enter_frac=0.45, exit_frac=0.25, min_duration_s=0.8, still_s=0.5)
    args.update(kw)
    return RepCounter(**args)


def run(c, signal, fps=30.0, ready=None):
    reps = []
    for i, v in enumerate(signal):
        span = c.update(i / fps, float(v), True if ready is None else ready[i])
        if span:
            reps.append(span)
    return reps


def bumps(n, depth=80.0, rest=2.0, up=1.0, hold=0.4, fps=30.0, setup=1.0):
    seg = [np.full(int(setup * fps), rest)]
    for _ in range(n):
        seg += [np.linspace(rest, depth, int(up * fps)), np.full(int(hold * fps), depth), np.linspace(depth, rest, int(up * fps)), np.full(int(0.6 * fps), rest)]
    return np.concatenate(seg)


def test_counts_each_rep_once_and_reports_its_bottom():
    reps = run(c := counter(), bumps(5))
    assert len(reps) == 5
    assert all(70 <= r.depth <= 80 for r in reps)
    assert all(r.start_t < r.bottom_t < r.end_t for r in reps)
    assert c.phase is Phase.REST


def test_jitter_around_a_threshold_adds_no_phantom_reps():
    rng = np.random.default_rng(0)
    signal = bumps(3) + rng.normal(0, 3.0, bumps(3).size)
    # Linger near the enter level between reps: noise crossing it must not count.
    signal = np.concatenate([signal, 33 + rng.normal(0, 4.0, 120)])
    assert len(run(counter(), signal)) == 3


def test_nothing_counts_until_the_start_position_is_held():
    rng = np.random.default_rng(1)
    walking_in = 40 + 35 * np.sin(np.linspace(0, 12, 150)) + rng.normal(0, 2, 150)  # big swings, never still
    c = counter()
    reps = run(c, np.concatenate([walking_in, bumps(2)]))
    assert len(reps) == 2


def test_not_ready_frames_delay_setup():
    signal = bumps(2)
    ready = [i > 100 for i in range(signal.size)]  # out of frame until the first rep is under way
    assert len(run(counter(), signal, ready=ready)) == 1


def test_short_twitches_and_shallow_dips_are_not_reps():
    fps = 30
    twitch = np.concatenate([np.full(60, 2.0), np.linspace(2, 80, 5), np.linspace(80, 2, 5), np.full(30, 2.0)])
    assert run(counter(), twitch, fps) == []
    shallow = bumps(3, depth=25.0)
    assert run(counter(), shallow) == []


def test_thresholds_adapt_to_the_persons_range():
    c = counter()
    run(c, bumps(3, depth=50.0))  # a stiff person only reaches 50°
    assert c.range < 70 and math.isclose(c.enter_level, c.base + 0.45 * c.range)
    assert len(run(c, bumps(2, depth=50.0, setup=0.1))) == 2


def test_phases_progress_through_a_rep():
    c = counter()
    phases = []
    for i, v in enumerate(bumps(1, hold=1.0)):
        c.update(i / 30, float(v))
        phases.append(c.phase)
    seen = [p for k, p in enumerate(phases) if k == 0 or phases[k - 1] != p]
    assert seen == [Phase.SETUP, Phase.REST, Phase.DOWN, Phase.BOTTOM, Phase.UP, Phase.REST]
