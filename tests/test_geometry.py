import numpy as np
import pytest

from formcheck.core.geometry import (
    flexion,
    inclination,
    inside_polygon,
    quadratic_curvature,
    ray_exit_distance,
    signed_angle,
    signed_distance,
)

SQUARE = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)


def test_flexion_is_zero_straight_and_grows_when_bent():
    a, b = np.array([0.0, 0.0]), np.array([0.0, 1.0])
    assert flexion(a, b, np.array([0.0, 2.0])) == pytest.approx(0.0)
    assert flexion(a, b, np.array([1.0, 1.0])) == pytest.approx(90.0)


def test_inclination_from_vertical_in_image_coordinates():
    assert inclination(np.array([0.0, -1.0])) == pytest.approx(0.0)  # up
    assert inclination(np.array([1.0, 0.0])) == pytest.approx(90.0)
    assert inclination(np.array([[1.0, -1.0], [-1.0, -1.0]])) == pytest.approx([45.0, 45.0])


def test_signed_angle_clockwise_on_screen_is_positive():
    up, right = np.array([0.0, -1.0]), np.array([1.0, 0.0])
    assert signed_angle(up, right) == pytest.approx(90.0)
    assert signed_angle(right, up) == pytest.approx(-90.0)


def test_ray_exit_distance_from_inside_and_misses():
    origins = np.array([[5.0, 5.0], [2.0, 5.0], [20.0, 5.0]])
    d = ray_exit_distance(origins, np.array([1.0, 0.0]), SQUARE)
    assert d[:2] == pytest.approx([5.0, 8.0])
    assert np.isnan(d[2])


def test_inside_polygon_even_odd():
    assert inside_polygon(np.array([[5.0, 5.0], [15.0, 5.0]]), SQUARE).tolist() == [True, False]


def test_signed_distance_side():
    a, b = np.array([0.0, 0.0]), np.array([0.0, -10.0])  # pointing up
    # perpendicular of "up" points left (-x): points on the left are positive
    assert signed_distance(np.array([[-3.0, -5.0], [2.0, -5.0]]), a, b) == pytest.approx([3.0, -2.0])


def test_quadratic_curvature_sign():
    t = np.linspace(0.1, 0.9, 9)
    assert quadratic_curvature(t, 0.2 + 0.0 * t) == pytest.approx(0.0, abs=1e-9)
    assert quadratic_curvature(t, 4 * 0.1 * t * (1 - t)) == pytest.approx(0.4)  # bulge out
    assert quadratic_curvature(t, -4 * 0.1 * t * (1 - t)) == pytest.approx(-0.4)  # hollow
    assert np.isnan(quadratic_curvature(t, np.full_like(t, np.nan)))
