import math

import numpy as np
import pytest

from formcheck.core.drills.base import Rep
from formcheck.evaluate import find_bottoms, match_reps, roc_auc


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


def test_find_bottoms_without_a_setup():
    t = np.linspace(0, 10, 301)
    hip = 60 + 40 * np.cos(2 * np.pi * t / 4)  # starts bent over, like a deadlift from the floor
    idx = find_bottoms(t, hip)
    assert [round(float(t[i])) for i in idx] == [0, 4, 8]
    assert find_bottoms(t, np.full_like(t, 10.0)) == []


@pytest.mark.parametrize("n", [0, 1])
def test_find_bottoms_handles_gaps(n):
    t = np.linspace(0, 4, 121)
    hip = 20 + 60 * np.sin(np.pi * t / 4)
    hip[40:60] = np.nan
    assert len(find_bottoms(t, hip)) == 1
