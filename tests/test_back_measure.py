"""The lower-back reading on synthetic outlines (pure numpy): what it sees and what it ignores.

The trunk lies level (a deep hinge facing right, back up): hip at x=0, shoulder at x=L.
The back edge sits 0.12 L above the hip–shoulder line plus a shape f(t) in body lengths,
t = 0 at the hip and 1 at the shoulder. Real clips showed neutral backs that drop only
near the shoulder blades, and rounded backs that arch over the lumbar part; the reading
must tell those apart.
"""

import numpy as np
import pytest

from formcheck.core.spine import FIT_RANGE, back_profile

L = 120.0  # shoulder–hip length in pixels, near what real clips give at 960 px


def trunk(shape, length: float = L, origin=(200.0, 300.0), step: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outline polygon, hip and shoulder of a level trunk whose back edge is 0.12 + shape(t) body lengths up."""
    t = np.linspace(-0.2, 1.1, 200)
    x0, y0 = origin
    back = np.stack([x0 + t * length, y0 - (0.12 + shape(t)) * length], axis=1)
    front = np.stack([x0 + t * length, y0 + 0.14 * length + 0 * t], axis=1)
    outline = np.vstack([back, front[::-1]])
    if step:
        outline = np.round(outline / step) * step  # a pixel outline, as traced from a mask
    return outline, np.array([x0, y0]), np.array([x0 + length, y0])


def curve(shape, **kw) -> float:
    outline, hip, shoulder = trunk(shape, **kw)
    p = back_profile(outline, hip, shoulder, None, +1)
    assert p is not None and p.coverage == 1.0
    return p.curvature


def hump(centre: float, height: float, half_width: float = 0.35):
    """A smooth arch of ``height`` body lengths centred at ``centre`` along the trunk."""
    return lambda t: height * np.cos(np.clip((t - centre) / half_width, -1, 1) * np.pi / 2) ** 2


def shoulder_drop(start: float = 0.8, slope: float = 0.5):
    """A flat back that falls away past ``start`` (shoulder blades, protracted shoulders)."""
    return lambda t: -slope * np.clip(t - start, 0, None)


def test_a_flat_back_reads_flat():
    assert curve(lambda t: 0 * t) == pytest.approx(0.0, abs=0.02)


def test_an_arch_over_the_lower_back_reads_as_rounding_and_grows_with_its_height():
    readings = [curve(hump(0.4, h)) for h in (0.0, 0.02, 0.04, 0.06)]
    assert np.all(np.diff(readings) > 0.05), readings
    assert readings[-1] > 0.35


def test_a_drop_at_the_shoulder_end_is_not_read_as_lumbar_rounding():
    # Neutral real backs (arms hanging, shoulder blades forward) fall away past about 0.8 of
    # the trunk. A fit reaching up to the shoulders read that fall as rounding (0.1–0.9: +0.2).
    assert FIT_RANGE[1] <= 0.8
    assert abs(curve(shoulder_drop())) < 0.05


def test_the_reading_follows_the_lower_back_more_than_the_upper_back():
    lower, upper = curve(hump(0.4, 0.04)), curve(hump(0.85, 0.04))
    assert lower > 0.25 and upper < 0.05


def test_a_tucked_sacrum_with_a_lumbar_arch_reads_higher_than_the_arch_alone():
    # Rounding the lower back tilts the pelvis back: the outline near the hip falls in.
    arch = hump(0.4, 0.03)
    tucked = lambda t: arch(t) - 0.3 * np.clip(0.15 - t, 0, None)
    assert curve(tucked) > curve(arch) + 0.03


@pytest.mark.parametrize("scale", [0.6, 2.5])
def test_the_reading_does_not_depend_on_image_size(scale):
    shape = hump(0.4, 0.04)
    assert curve(shape, length=L * scale, step=0) == pytest.approx(curve(shape, step=0), abs=1e-6)


def test_pixel_steps_in_the_outline_barely_move_the_reading():
    # The traced outline is whole pixels; at L = 120 px that costs about ±0.02 of curvature.
    shape = hump(0.4, 0.04)
    assert curve(shape, step=1.0) == pytest.approx(curve(shape, step=0), abs=0.02)


def test_the_hip_to_shoulder_fit_is_kept_beside_it():
    # On all fours an arm reach moves the outline near the shoulders; the bird dog's
    # threshold was set on the longer fit, which still sees the shoulder-end fall.
    outline, hip, shoulder = trunk(shoulder_drop())
    p = back_profile(outline, hip, shoulder, None, +1)
    assert p.trunk_curvature > 0.1 and abs(p.curvature) < 0.05
    arch = back_profile(*trunk(hump(0.5, 0.04)), None, +1)
    assert arch.trunk_curvature > 0.2 and arch.curvature > 0.2
