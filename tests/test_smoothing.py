import numpy as np
import pytest

from formcheck.core.smoothing import OneEuroFilter


def test_matches_the_authors_reference_implementation():
    ref_mod = pytest.importorskip("OneEuroFilter")
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.025, 0.045, 200))
    x = np.sin(t * 3) * 50 + rng.normal(0, 2, t.size)
    ours = OneEuroFilter(min_cutoff=1.2, beta=0.05, d_cutoff=1.0, freq=30)
    ref = ref_mod.OneEuroFilter(freq=30, mincutoff=1.2, beta=0.05, dcutoff=1.0)
    a = [float(ours(np.array([xi]), ti)[0]) for xi, ti in zip(x, t)]
    b = [ref(xi, ti) for xi, ti in zip(x, t)]
    assert a == pytest.approx(b, rel=1e-9, abs=1e-9)


def test_vectorised_and_reduces_jitter_at_rest():
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    noisy = 100 + rng.normal(0, 3, (300, 33, 2))
    out = np.array([f(x, i / 30) for i, x in enumerate(noisy)])
    assert out.shape == noisy.shape
    assert out[100:].std() < 0.4 * noisy[100:].std()


def test_nan_resets_only_the_missing_elements():
    f = OneEuroFilter(min_cutoff=0.5)
    f(np.array([0.0, 0.0]), 0.0)
    f(np.array([np.nan, 10.0]), 1 / 30)
    out = f(np.array([50.0, 10.0]), 2 / 30)
    assert out[0] == 50.0  # restarted from the raw value, not smeared from 0
    assert 0 < out[1] < 10.0
