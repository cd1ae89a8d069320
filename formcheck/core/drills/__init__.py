"""The drills behind one interface, and recognising which one is being done."""

from __future__ import annotations

from formcheck.core.drills.base import CONTACTS, Drill, Fault, Rep
from formcheck.core.drills.bird_dog import BirdDog
from formcheck.core.drills.dead_bug import DeadBug
from formcheck.core.drills.hinge import Hinge
from formcheck.core.drills.holds import Hold, HoldStatus
from formcheck.core.drills.side_plank import SidePlank
from formcheck.core.drills.squat import Squat

DRILLS: dict[str, type[Drill]] = {d.name: d for d in (Hinge, Squat, BirdDog, DeadBug, SidePlank)}
DRILL_CHOICES = (*DRILLS, "auto")

__all__ = [
    "CONTACTS", "DRILLS", "DRILL_CHOICES", "BirdDog", "DeadBug", "Drill", "Fault", "Hinge", "Hold", "HoldStatus", "Rep",
    "SidePlank", "Squat",
]
