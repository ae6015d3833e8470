"""Force-plate to foot assignment on constructed feet and plates, and on a real Vicon trial."""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.io.trial import ForcePlate
from kinchain.kinetics.plates import assign_plates
from shared_paths import shared_data

POINT_RATE, ANALOG_RATE, N = 100.0, 1000.0, 200
RATIO = int(ANALOG_RATE / POINT_RATE)
CORNERS = np.array([[0.0, 0.0, 0.0], [0.4, 0.0, 0.0], [0.4, 0.6, 0.0], [0.0, 0.6, 0.0]])
SAMPLE_00 = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"


def _plate(
    first_sample: int,
    last_sample: int,
    cop_xy: tuple[float, float] = (0.12, 0.25),
    fz: float = 700.0,
    index: int = 0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> ForcePlate:
    """A plate loaded with (10, 20, fz) N at a fixed COP over analog samples [first, last]."""
    n_a = N * RATIO
    force = np.zeros((n_a, 3))
    force[first_sample : last_sample + 1] = [10.0, 20.0, fz]
    cop = np.full((n_a, 3), np.nan)
    free = np.full((n_a, 3), np.nan)
    on = force[:, 2] > 20.0
    cop[on] = [cop_xy[0] + offset[0], cop_xy[1] + offset[1], 0.0]
    free[on] = [0.0, 0.0, 0.5]
    corners = CORNERS + np.array([offset[0], offset[1], 0.0])
    return ForcePlate(
        force=force,
        moment_at_origin=np.zeros((n_a, 3)),
        cop=cop,
        free_moment=free,
        corners=corners,
        plate_type=2,
        index=index,
    )


def _foot(x: float, y_heel: float, z: float = 0.03) -> dict[str, np.ndarray]:
    """A stationary foot pointing along +y: heel, toe 0.2 m ahead, ankle above the heel."""
    return {
        "heel": np.tile([x, y_heel, z], (N, 1)),
        "toe": np.tile([x, y_heel + 0.2, z], (N, 1)),
        "ankle": np.tile([x, y_heel + 0.05, z + 0.05], (N, 1)),
    }


AWAY = _foot(-0.6, 1.5)


def _only(result_contacts: list) -> object:
    assert len(result_contacts) == 1
    return result_contacts[0]


def test_clean_left_contact_is_assigned() -> None:
    res = assign_plates(
        [_plate(400, 1199)], POINT_RATE, N, {"left": _foot(0.12, 0.15), "right": AWAY}
    )
    c = _only(res.contacts)
    # Analog samples 400..1199 are loaded. Frame i averages samples [10 i - 5, 10 i + 5), so the
    # frames whose window straddles strike (40) and off (120) carry half the force.
    assert (c.plate, c.side, c.start, c.end, c.used) == (0, "left", 40, 120, True)
    left, right = res.grf["left"], res.grf["right"]
    np.testing.assert_allclose(left.force[41:120], np.tile([10.0, 20.0, 700.0], (79, 1)))
    np.testing.assert_allclose(left.force[[40, 120]], np.tile([5.0, 10.0, 350.0], (2, 1)))
    np.testing.assert_allclose(left.cop[40:121], np.tile([0.12, 0.25, 0.0], (81, 1)))
    np.testing.assert_allclose(left.free_moment[40:121], np.tile([0.0, 0.0, 0.5], (81, 1)))
    assert np.isnan(left.force[:40]).all() and np.isnan(left.force[121:]).all()
    assert left.on_plate.sum() == 81 and left.on_plate[40:121].all()
    assert np.isnan(right.force).all() and not right.on_plate.any()


def test_both_feet_on_plate_is_ambiguous() -> None:
    feet = {"left": _foot(0.12, 0.15), "right": _foot(0.3, 0.1)}
    c = _only(assign_plates([_plate(400, 1199)], POINT_RATE, N, feet).contacts)
    assert not c.used and c.side is None and c.reason == "both feet over the plate"


def test_cop_outside_the_foot_is_rejected() -> None:
    plate = _plate(400, 1199, cop_xy=(0.35, 0.55))
    res = assign_plates([plate], POINT_RATE, N, {"left": _foot(0.12, 0.15), "right": AWAY})
    c = _only(res.contacts)
    assert not c.used and c.side == "left" and c.reason.startswith("COP outside the left foot")
    assert np.isnan(res.grf["left"].force).all()


def test_foot_hanging_over_the_edge_is_partial() -> None:
    feet = {"left": _foot(0.12, 0.5), "right": AWAY}  # toe at y = 0.7, plate ends at 0.6
    c = _only(assign_plates([_plate(400, 1199, cop_xy=(0.12, 0.55))], POINT_RATE, N, feet).contacts)
    assert not c.used and c.side == "left" and c.reason.startswith("partial")


def test_contact_cut_at_trial_edges() -> None:
    feet = {"left": _foot(0.12, 0.15), "right": AWAY}
    start = _only(assign_plates([_plate(0, 500)], POINT_RATE, N, feet).contacts)
    assert (start.start, start.used, start.reason) == (0, False, "cut at trial start")
    end = _only(assign_plates([_plate(1500, N * RATIO - 1)], POINT_RATE, N, feet).contacts)
    assert (end.end, end.used, end.reason) == (N - 1, False, "cut at trial end")


def test_short_spike_is_not_a_contact() -> None:
    feet = {"left": _foot(0.12, 0.15), "right": AWAY}
    c = _only(assign_plates([_plate(400, 449)], POINT_RATE, N, feet).contacts)
    assert (c.start, c.end, c.used) == (40, 45, False) and c.reason.startswith("shorter")


def test_no_foot_over_plate() -> None:
    c = _only(
        assign_plates([_plate(400, 1199)], POINT_RATE, N, {"left": AWAY, "right": AWAY}).contacts
    )
    assert not c.used and c.side is None and c.reason == "no foot over the plate"


def test_swinging_foot_passing_over_is_ignored() -> None:
    t = np.arange(N) / POINT_RATE
    y = -1.0 + 3.0 * (t - 0.4)  # 3 m/s, over the plate around frames 73-93
    swing = {
        "heel": np.stack([np.full(N, 0.3), y, np.full(N, 0.05)], axis=1),
        "toe": np.stack([np.full(N, 0.3), y + 0.2, np.full(N, 0.05)], axis=1),
        "ankle": np.stack([np.full(N, 0.3), y + 0.05, np.full(N, 0.1)], axis=1),
    }
    res = assign_plates(
        [_plate(400, 1199)], POINT_RATE, N, {"left": _foot(0.12, 0.15), "right": swing}
    )
    c = _only(res.contacts)
    assert c.used and c.side == "left"


def test_other_foot_standing_on_the_corner_is_rejected() -> None:
    feet = {"left": _foot(0.12, 0.15), "right": _foot(0.35, 0.5)}  # right heel on, toe off
    c = _only(assign_plates([_plate(400, 1199)], POINT_RATE, N, feet).contacts)
    assert not c.used and c.side == "left" and c.reason == "right foot on the plate too"


def test_two_plates_two_feet() -> None:
    plates = [
        _plate(300, 999, index=0),
        _plate(800, 1499, cop_xy=(0.12, 0.25), index=1, offset=(0.0, 0.7)),
    ]
    feet = {"left": _foot(0.12, 0.15), "right": _foot(0.12, 0.85)}
    res = assign_plates(plates, POINT_RATE, N, feet)
    assert [(c.plate, c.side, c.start, c.end, c.used) for c in res.contacts] == [
        (0, "left", 30, 100, True),
        (1, "right", 80, 150, True),
    ]
    assert res.grf["left"].on_plate[30:101].all() and res.grf["left"].on_plate.sum() == 71
    np.testing.assert_allclose(res.grf["right"].cop[80:151, 1], 0.95)


def test_missing_foot_point_raises() -> None:
    with pytest.raises(ValueError, match="lacks"):
        assign_plates([], POINT_RATE, N, {"left": _foot(0, 0)})


@pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared sample data not available")
def test_real_trial_contact_matches_the_files_own_events() -> None:
    """sample_00 has one plate; its own events (read below) give the left foot strikes and foot
    offs, and a 'Left-FP' general event names the left foot on the plate."""
    ezc3d = pytest.importorskip("ezc3d")
    c = ezc3d.c3d(str(SAMPLE_00), extract_forceplat_data=True)
    rate = float(c["parameters"]["POINT"]["RATE"]["value"][0])
    first = int(c["header"]["points"]["first_frame"])  # zero-based
    labels = [s.split(":")[-1] for s in c["parameters"]["POINT"]["LABELS"]["value"]]
    pts = c["data"]["points"][:3].transpose(2, 1, 0) / 1000.0
    n = pts.shape[0]
    pf = c["data"]["platform"][0]
    force = pf["force"].T  # N, reaction on the subject (Fz > 0 in stance)
    loaded = force[:, 2] > 20.0
    cop = np.where(loaded[:, None], pf["center_of_pressure"].T / 1000.0, np.nan)
    plate = ForcePlate(
        force=force,
        moment_at_origin=pf["moment"].T / 1000.0,
        cop=cop,
        free_moment=np.where(loaded[:, None], pf["Tz"].T / 1000.0, np.nan),
        corners=pf["corners"].T / 1000.0,
        plate_type=2,
        index=0,
    )

    def foot(p: str) -> dict[str, np.ndarray]:
        return {
            k: pts[:, labels.index(p + m)]
            for k, m in (("heel", "HEE"), ("toe", "TOE"), ("ankle", "ANK"))
        }

    res = assign_plates([plate], rate, n, {"left": foot("L"), "right": foot("R")})
    used = [ct for ct in res.contacts if ct.used]
    assert len(used) == 1 and used[0].side == "left"

    ev = c["parameters"]["EVENT"]
    events = list(
        zip(ev["LABELS"]["value"], ev["CONTEXTS"]["value"], ev["TIMES"]["value"][1], strict=True)
    )
    assert any(lab == "Left-FP" for lab, _, _ in events)
    strikes = [
        round(t * rate) - first for lab, ctx, t in events if (lab, ctx) == ("Foot Strike", "Left")
    ]
    offs = [round(t * rate) - first for lab, ctx, t in events if (lab, ctx) == ("Foot Off", "Left")]
    # The contact starts at a left foot strike and ends the frame before the next left foot off.
    assert min(abs(used[0].start - s) for s in strikes) <= 1
    assert min(abs(used[0].end + 1 - o) for o in offs) <= 1
    assert np.isfinite(res.grf["left"].force[used[0].start : used[0].end + 1]).all()
    assert np.isnan(res.grf["right"].force).all()


def test_plate_without_outline_uses_the_footprint_around_the_cop() -> None:
    """OpenSim GRF files give forces and COP but no plate corners."""
    plate = _plate(400, 1199)
    outline_free = ForcePlate(
        force=plate.force,
        moment_at_origin=plate.moment_at_origin,
        cop=plate.cop,
        free_moment=plate.free_moment,
        corners=np.full((4, 3), np.nan),
        plate_type=0,
        index=0,
    )
    clean = assign_plates(
        [outline_free], POINT_RATE, N, {"left": _foot(0.12, 0.15), "right": AWAY}
    )
    c = _only(clean.contacts)
    assert (c.side, c.used) == ("left", True)
    both = assign_plates(
        [outline_free], POINT_RATE, N, {"left": _foot(0.12, 0.15), "right": _foot(0.25, 0.1)}
    )
    assert not _only(both.contacts).used
