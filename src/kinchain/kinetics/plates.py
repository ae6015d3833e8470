"""Automatic assignment of force plates to feet.

A **contact** is a run of marker frames in which a plate's vertical force (lab Z, on the subject,
averaged over the frame's analog samples) exceeds ``threshold_n`` (default 20 N, the usual
centre-of-pressure threshold; below it the COP is unreliable). A contact is *used* only when it
is a clean single-foot contact:

1. it does not touch the first or last frame of the trial, nor a frame without force data, so
   its start and end are both seen (``"cut at trial start"`` / ``"cut at trial end"`` /
   ``"force missing next to the contact"``);
2. it lasts at least ``min_contact_s`` (default 0.1 s; shorter runs are noise or taps);
3. exactly one foot is on the plate: its heel, toe and ankle points, projected on the plate
   plane, lie inside the plate outline grown by ``plate_margin_m`` (default 0.02 m) in every
   frame (the foot does not overhang the plate's edge), and at least one of them comes within
   ``contact_height_m`` of the plate surface during the contact (a foot hovering high above the
   plate, e.g. over a lower step, is not on it) (``"partial: ..."``, ``"both feet over the
   plate"``);
4. the other foot is never *on* the plate during the contact: none of its heel/toe/ankle points
   is inside the grown outline while lower than ``contact_height_m`` (default 0.15 m) above the
   plate surface and moving slower than ``contact_speed_mps`` (default 1.0 m/s) horizontally. A
   swinging foot passing over the plate is fast and is not counted (``"other foot on the
   plate"``);
5. the COP stays within ``cop_margin_m`` (default 0.10 m, about a foot's half-width plus the toe
   beyond the toe marker) of the foot's heel-toe-ankle triangle in the plate plane in every frame
   where it is defined (``"COP outside the foot"``);
6. a foot has at most one used contact at a time (``"overlaps another used contact"``).

Anything else is reported, with the reason, and not used. Reporting is data (the ``contacts``
list); nothing is printed.

Plate geometry: each plate is read at its own height and orientation. Its surface is the plane
of its four corners (centre = mean corner, in-plane axes from the corners as
:func:`kinchain.io.forceplates.plate_frame` builds them, normal pointing up, i.e. towards lab
+Z), so plates on steps, stairs and ramps need no special case: "inside the outline" is tested
on the points projected along the plate normal into the plate plane, heights are distances along
the normal from the plate surface, the load threshold applies to the force component along the
normal, and the COP-under-the-foot test is done in the plate plane. For a level plate this is
the lab XY plane and the corner height. Plates without an outline (NaN corners, as OpenSim GRF
files give) are taken as level floor at the COP's height. :class:`~kinchain.io.forceplates.
UnusablePlate` entries (plates the file describes but whose forces could not be read) are
skipped: they have no contacts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kinchain.io.forceplates import UnusablePlate, plate_frame
from kinchain.io.trial import ForcePlate
from kinchain.kinetics.derivatives import _first_derivative
from kinchain.kinetics.filtering import _finite_runs, resample_to_points

__all__ = ["Contact", "GroundReaction", "PlateAssignment", "assign_plates"]

SIDES = ("left", "right")
FOOT_POINTS = ("heel", "toe", "ankle")


@dataclass(frozen=True)
class Contact:
    """One loading run of one plate and what was decided about it.

    Attributes
    ----------
    plate
        Zero-based plate index (``ForcePlate.index``).
    side
        ``"left"``/``"right"`` for the foot judged to be on the plate, or None when unknown.
    start, end
        First and last marker frame (inclusive, zero-based) of the loading run.
    used
        True when the contact was assigned to ``side``.
    reason
        Why it was used or not, in plain words.
    """

    plate: int
    side: str | None
    start: int
    end: int
    used: bool
    reason: str


@dataclass(frozen=True)
class GroundReaction:
    """Ground reaction on one foot at the marker rate; NaN outside used contacts.

    Attributes
    ----------
    force
        Force on the foot, N, ``(n, 3)``, lab.
    cop
        Centre of pressure, m, ``(n, 3)``, lab.
    free_moment
        Free moment vector on the foot, N·m, ``(n, 3)``, lab.
    on_plate
        ``(n,)`` bool: frames covered by a used contact.
    """

    force: NDArray[np.float64]
    cop: NDArray[np.float64]
    free_moment: NDArray[np.float64]
    on_plate: NDArray[np.bool_]


@dataclass(frozen=True)
class PlateAssignment:
    """Result of :func:`assign_plates`.

    Attributes
    ----------
    grf
        ``{"left": GroundReaction, "right": GroundReaction}``.
    contacts
        Every contact found on every plate, in plate then time order.
    parameters
        The thresholds and margins used.
    """

    grf: dict[str, GroundReaction]
    contacts: list[Contact]
    parameters: dict[str, float] = field(default_factory=dict)


def _inside_polygon(
    xy: NDArray[np.float64], corners: NDArray[np.float64], margin: float
) -> NDArray[np.bool_]:
    """True where ``xy`` (n, 2) is inside the convex polygon ``corners`` (m, 2) grown by margin."""
    centre = corners.mean(axis=0)
    nxt = np.roll(corners, -1, axis=0)
    edge = nxt - corners
    normal = np.stack([edge[:, 1], -edge[:, 0]], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    # Orient normals outward.
    outward = np.einsum("ij,ij->i", normal, corners - centre) >= 0
    normal[~outward] *= -1.0
    dist = np.einsum("nk,ik->ni", xy, normal) - np.einsum("ik,ik->i", corners, normal)[None, :]
    return np.all(dist <= margin, axis=1) & np.all(np.isfinite(xy), axis=1)


def _plate_plane(
    corners: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """A plate's surface from its four corners (m, lab frame, ``(4, 3)``).

    Returns
    -------
    centre
        ``(3,)`` mean of the corners, m, lab frame.
    axes
        ``(3, 2)`` the plate's in-plane x and y axes (unit vectors, lab frame, as columns):
        ``(p - centre) @ axes`` are a point's plate-plane coordinates, m.
    normal
        ``(3,)`` unit normal of the surface pointing up (non-negative lab Z component):
        ``(p - centre) @ normal`` is a point's height above the surface, m.
    """
    rot = plate_frame(corners)
    normal = rot[:, 2] if rot[2, 2] >= 0 else -rot[:, 2]
    centre = corners.mean(axis=0)
    return (
        np.asarray(centre, dtype=np.float64),
        np.asarray(rot[:, :2], dtype=np.float64),
        np.asarray(normal, dtype=np.float64),
    )


def _dist_to_segment(
    p: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64]
) -> NDArray[np.float64]:
    ab = b - a
    denom = np.einsum("ni,ni->n", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.einsum("ni,ni->n", p - a, ab) / np.where(denom > 0, denom, 1.0), 0, 1)
    closest = a + t[:, None] * ab
    return np.linalg.norm(p - closest, axis=1)


def _dist_to_triangle(
    p: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64]
) -> NDArray[np.float64]:
    """2-D distance from points to filled triangles (0 inside), per frame."""

    def cross(u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0])

    d1, d2, d3 = cross(b - a, p - a), cross(c - b, p - b), cross(a - c, p - c)
    inside = ((d1 >= 0) & (d2 >= 0) & (d3 >= 0)) | ((d1 <= 0) & (d2 <= 0) & (d3 <= 0))
    edge = np.minimum(
        np.minimum(_dist_to_segment(p, a, b), _dist_to_segment(p, b, c)),
        _dist_to_segment(p, c, a),
    )
    return np.where(inside, 0.0, edge)


def _judge(
    start: int,
    stop: int,
    *,
    n_frames: int,
    fz: NDArray[np.float64],
    cop: NDArray[np.float64],
    pts: dict[str, dict[str, NDArray[np.float64]]],
    height: dict[str, dict[str, NDArray[np.float64]]],
    inside: dict[str, dict[str, NDArray[np.bool_]]],
    speed: dict[str, dict[str, NDArray[np.float64]]],
    min_frames: int,
    min_contact_s: float,
    cop_margin_m: float,
    contact_height_m: float,
    contact_speed_mps: float,
) -> tuple[str | None, bool, str]:
    """Decide one contact ``[start, stop)``: (side or None, used, reason).

    ``fz`` is the load along the plate normal (N), ``cop`` and ``pts`` are 2-D plate-plane
    coordinates (m), ``height`` the distance of each foot point above the plate surface (m).
    """
    sl = slice(start, stop)
    with np.errstate(invalid="ignore"):
        on_surface = {
            side: any(
                bool((height[side][name][sl] < contact_height_m).any()) for name in FOOT_POINTS
            )
            for side in SIDES
        }
    whole = {
        side: on_surface[side] and all(bool(inside[side][name][sl].all()) for name in FOOT_POINTS)
        for side in SIDES
    }
    touching = {
        side: any(bool(inside[side][name][sl].any()) for name in FOOT_POINTS) for side in SIDES
    }
    candidates = [s for s in SIDES if whole[s]]
    guess = candidates[0] if len(candidates) == 1 else None
    if guess is None:
        near = [s for s in SIDES if touching[s]]
        guess = near[0] if len(near) == 1 else None

    if start == 0:
        return guess, False, "cut at trial start"
    if stop == n_frames:
        return guess, False, "cut at trial end"
    if not (np.isfinite(fz[start - 1]) and np.isfinite(fz[stop])):
        return guess, False, "force missing next to the contact"
    if stop - start < min_frames:
        return guess, False, f"shorter than {min_contact_s} s"
    if len(candidates) == 2:
        return None, False, "both feet over the plate"
    if not candidates:
        if touching["left"] and touching["right"]:
            return None, False, "partial: neither foot entirely on the plate, both near it"
        if guess is not None:
            return guess, False, f"partial: {guess} foot not entirely on the plate"
        return None, False, "no foot over the plate"
    side = candidates[0]
    other = "right" if side == "left" else "left"
    if any(not np.isfinite(pts[other][nm][sl]).all() for nm in FOOT_POINTS):
        return side, False, f"{other} foot markers missing during the contact"
    hit = np.zeros(stop - start, dtype=bool)
    for name in FOOT_POINTS:
        low = height[other][name][sl] < contact_height_m
        slow = speed[other][name][sl] < contact_speed_mps
        hit |= inside[other][name][sl] & low & slow
    if hit.any():
        return side, False, f"{other} foot on the plate too"
    cop_c = cop[sl]
    defined = np.all(np.isfinite(cop_c), axis=1)
    if not defined.any():
        return side, False, "COP undefined during the contact"
    dist = _dist_to_triangle(
        cop_c, pts[side]["heel"][sl], pts[side]["toe"][sl], pts[side]["ankle"][sl]
    )
    if np.any(dist[defined] > cop_margin_m):
        worst = float(np.max(dist[defined]))
        return side, False, f"COP outside the {side} foot (up to {worst:.3f} m from it)"
    return side, True, "clean single-foot contact"


def assign_plates(
    plates: Sequence[ForcePlate],
    point_rate: float,
    n_frames: int,
    foot_points: Mapping[str, Mapping[str, NDArray]],
    *,
    threshold_n: float = 20.0,
    min_contact_s: float = 0.1,
    plate_margin_m: float = 0.02,
    cop_margin_m: float = 0.10,
    contact_height_m: float = 0.15,
    contact_speed_mps: float = 1.0,
    analog_rate: float | None = None,
    footprint_radius_m: float = 0.25,
) -> PlateAssignment:
    """Find each plate's contacts, decide which foot made each, and build per-foot GRFs.

    Parameters
    ----------
    plates
        Force plates at the analog rate (lab frame, Z up, force on the subject), each at its own
        height and orientation (see the module notes); :class:`UnusablePlate` entries are
        skipped.
    point_rate
        Marker rate, Hz.
    n_frames
        Number of marker frames.
    foot_points
        ``{"left": {"heel", "toe", "ankle"}, "right": {...}}``: positions, m, ``(n_frames, 3)``,
        lab frame (heel and toe markers, ankle joint centre or marker).
    threshold_n
        Vertical force above which a plate is loaded, N.
    min_contact_s
        Shortest contact used, s.
    plate_margin_m
        Tolerance added around the plate outline when testing foot points, m.
    cop_margin_m
        Largest distance of the COP from the foot's heel-toe-ankle triangle, m.
    contact_height_m, contact_speed_mps
        A point of the *other* foot counts as on the plate only when lower than this above the
        plate surface (m) and slower than this horizontally (m/s).
    footprint_radius_m
        For plates without an outline (NaN corners, as OpenSim GRF files give): how far, m, a
        foot point may be from the centre of pressure and still count as on the plate.
    analog_rate
        Analog rate, Hz. If None it is inferred from the plate record length as
        ``n_analog / n_frames * point_rate``.

    Returns
    -------
    PlateAssignment
        Per-foot ground reaction at the marker rate (NaN outside used contacts; frames where two
        used contacts of one foot would overlap are not possible by rule 6) and the list of
        contacts with their decisions.

    Raises
    ------
    ValueError
        If ``foot_points`` lacks a side or point, or arrays have the wrong shape.
    """
    pts: dict[str, dict[str, NDArray[np.float64]]] = {}
    for side in SIDES:
        if side not in foot_points:
            raise ValueError(f"assign_plates: foot_points lacks side {side!r}")
        pts[side] = {}
        for name in FOOT_POINTS:
            if name not in foot_points[side]:
                raise ValueError(f"assign_plates: foot_points[{side!r}] lacks {name!r}")
            arr = np.asarray(foot_points[side][name], dtype=np.float64)
            if arr.shape != (n_frames, 3):
                raise ValueError(
                    f"assign_plates: foot_points[{side!r}][{name!r}] must be ({n_frames}, 3), "
                    f"got {arr.shape}"
                )
            pts[side][name] = arr

    # Horizontal speed of each point (m/s), for the "other foot on the plate" test.
    speed = {
        side: {
            name: np.linalg.norm(_first_derivative(pts[side][name][:, :2], point_rate), axis=1)
            for name in FOOT_POINTS
        }
        for side in SIDES
    }

    out = {
        side: {
            "force": np.full((n_frames, 3), np.nan),
            "cop": np.full((n_frames, 3), np.nan),
            "free_moment": np.full((n_frames, 3), np.nan),
            "on_plate": np.zeros(n_frames, dtype=bool),
        }
        for side in SIDES
    }
    contacts: list[Contact] = []
    min_frames = max(1, int(np.ceil(min_contact_s * point_rate - 1e-9)))

    for plate in plates:
        if isinstance(plate, UnusablePlate):
            continue
        n_analog = plate.force.shape[0]
        rate_a = analog_rate if analog_rate is not None else n_analog / n_frames * point_rate
        force = resample_to_points(plate.force, rate_a, point_rate, n_frames)
        cop = resample_to_points(plate.cop, rate_a, point_rate, n_frames)
        free = resample_to_points(plate.free_moment, rate_a, point_rate, n_frames)
        corners = np.asarray(plate.corners, dtype=np.float64)
        if np.isfinite(corners).all():
            centre, axes, normal = _plate_plane(corners)
            fz = force @ normal
            plane = {
                side: {name: (pts[side][name] - centre) @ axes for name in FOOT_POINTS}
                for side in SIDES
            }
            height = {
                side: {name: (pts[side][name] - centre) @ normal for name in FOOT_POINTS}
                for side in SIDES
            }
            cop_plane = (cop - centre) @ axes
            outline = (corners - centre) @ axes
            inside = {
                side: {
                    name: _inside_polygon(plane[side][name], outline, plate_margin_m)
                    for name in FOOT_POINTS
                }
                for side in SIDES
            }
        else:
            # No plate outline (e.g. forces from an OpenSim GRF file): a foot point counts as on
            # the "plate" while it is within footprint_radius_m of the centre of pressure, and the
            # surface is the level floor at the COP's height.
            fz = force[:, 2]
            surface_z = float(np.nanmedian(cop[:, 2])) if np.isfinite(cop[:, 2]).any() else 0.0
            plane = {side: {name: pts[side][name][:, :2] for name in FOOT_POINTS} for side in SIDES}
            height = {
                side: {name: pts[side][name][:, 2] - surface_z for name in FOOT_POINTS}
                for side in SIDES
            }
            cop_plane = cop[:, :2]
            inside = {
                side: {
                    name: np.asarray(
                        np.linalg.norm(pts[side][name][:, :2] - cop[:, :2], axis=1)
                        < footprint_radius_m
                    )
                    for name in FOOT_POINTS
                }
                for side in SIDES
            }
        loaded = np.where(np.isfinite(fz), fz, -np.inf) > threshold_n

        for start, stop in _finite_runs(loaded):
            who, used, reason = _judge(
                start,
                stop,
                n_frames=n_frames,
                fz=fz,
                cop=cop_plane,
                pts=plane,
                height=height,
                inside=inside,
                speed=speed,
                min_frames=min_frames,
                min_contact_s=min_contact_s,
                cop_margin_m=cop_margin_m,
                contact_height_m=contact_height_m,
                contact_speed_mps=contact_speed_mps,
            )
            sl = slice(start, stop)
            if used and who is not None:
                if out[who]["on_plate"][sl].any():
                    used, reason = False, "overlaps another used contact of the same foot"
                else:
                    out[who]["force"][sl] = force[sl]
                    out[who]["cop"][sl] = cop[sl]
                    out[who]["free_moment"][sl] = free[sl]
                    out[who]["on_plate"][sl] = True
            contacts.append(Contact(plate.index, who, start, stop - 1, used, reason))

    grf = {
        side: GroundReaction(
            force=out[side]["force"],
            cop=out[side]["cop"],
            free_moment=out[side]["free_moment"],
            on_plate=out[side]["on_plate"],
        )
        for side in SIDES
    }
    params = {
        "threshold_n": threshold_n,
        "min_contact_s": min_contact_s,
        "plate_margin_m": plate_margin_m,
        "cop_margin_m": cop_margin_m,
        "contact_height_m": contact_height_m,
        "contact_speed_mps": contact_speed_mps,
        "footprint_radius_m": footprint_radius_m,
    }
    return PlateAssignment(grf=grf, contacts=contacts, parameters=params)
