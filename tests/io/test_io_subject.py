"""Subject measurements: .mp, .vsk, PROCESSING group, explicit values, validation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinchain.errors import InputError
from kinchain.io import read_mp, read_subject_file, read_vsk, subject_from_values
from kinchain.io.subject import subject_from_processing
from shared_paths import shared_data

MP = shared_data() / "c3d-org" / "sample_09" / "42798.mp"

pytestmark = pytest.mark.skipif(not MP.exists(), reason="shared data not available")

VSK = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<KinematicModel VERSION="1.0" MODEL="PiG">
  <Parameters>
    <Parameter NAME="Bodymass" VALUE="{mass}" PRIOR="0"/>
    <Parameter NAME="Height" VALUE="1755" PRIOR="0"/>
    <Parameter NAME="LLegLength" VALUE="905" PRIOR="0"/>
    <Parameter NAME="RLegLength" VALUE="{rleg}" PRIOR="0"/>
    <Parameter NAME="LKneeWidth" VALUE="104" PRIOR="0"/>
    <Parameter NAME="RKneeWidth" VALUE="103" PRIOR="0"/>
    <Parameter NAME="LAnkleWidth" VALUE="71" PRIOR="0"/>
    <Parameter NAME="RAnkleWidth" VALUE="72" PRIOR="0"/>
    <Parameter NAME="MarkerDiameter" VALUE="16" PRIOR="0"/>
    <Parameter NAME="LTibialTorsion" VALUE="-12.5" PRIOR="0"/>
  </Parameters>
</KinematicModel>
"""


def _vsk(tmp_path: Path, mass: str = "72.4", rleg: str = "900") -> Path:
    p = tmp_path / "subject.vsk"
    p.write_text(VSK.format(mass=mass, rleg=rleg))
    return p


def test_read_mp_sample_09() -> None:
    s = read_mp(MP)
    # values as the file lists them: $Bodymass = 66.2, $LLegLength = 1040 (mm), ...
    assert s.mass_kg == 66.2
    assert s.height_m == pytest.approx(1.890)
    assert s.leg_length_m == pytest.approx({"left": 1.040, "right": 1.040})
    assert s.knee_width_m == pytest.approx({"left": 0.097, "right": 0.101})
    assert s.ankle_width_m == pytest.approx({"left": 0.071, "right": 0.072})
    assert s.inter_asis_m == pytest.approx(0.230)
    assert s.asis_trochanter_m == pytest.approx({"left": 0.075, "right": 0.075})
    assert s.tibial_torsion_deg == {"left": -19.0, "right": -26.0}  # degrees in .mp files
    assert s.static_rotation_offset_deg == pytest.approx({"left": 0.397318, "right": -1.09149})
    assert s.marker_diameter_m == 0.014
    assert s.source == str(MP)
    assert read_subject_file(MP) == s


def test_read_vsk(tmp_path: Path) -> None:
    s = read_vsk(_vsk(tmp_path))
    assert s.mass_kg == 72.4
    assert s.leg_length_m == pytest.approx({"left": 0.905, "right": 0.900})
    assert s.marker_diameter_m == pytest.approx(0.016)
    assert s.tibial_torsion_deg == {"left": -12.5, "right": 0.0}


@pytest.mark.parametrize(
    "mass,match", [("0", "Bodymass"), ("-3", "mass_kg"), ("450", "mass_kg"), ("abc", "Bodymass")]
)
def test_bad_mass_in_vsk(tmp_path: Path, mass: str, match: str) -> None:
    path = _vsk(tmp_path, mass=mass)
    with pytest.raises(InputError, match=match) as info:
        read_vsk(path)
    assert str(path) in str(info.value)


def test_ambiguous_length_unit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="leg lengths"):
        read_vsk(_vsk(tmp_path, rleg="90"))  # neither mm nor m with LLegLength 905


def test_malformed_files(tmp_path: Path) -> None:
    bad_xml = tmp_path / "bad.vsk"
    bad_xml.write_text("<KinematicModel><Parameters>")
    with pytest.raises(InputError, match="XML"):
        read_vsk(bad_xml)
    empty = tmp_path / "empty.mp"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_mp(empty)
    not_mp = tmp_path / "notes.mp"
    not_mp.write_text("hello\nworld\n")
    with pytest.raises(InputError, match="not a Vicon"):
        read_mp(not_mp)
    missing = tmp_path / "m.mp"
    missing.write_text("$Bodymass = 70\n$LLegLength = 900\n$RLegLength = 900\n")
    with pytest.raises(InputError, match="KneeWidth"):
        read_mp(missing)
    with pytest.raises(InputError, match="not found"):
        read_mp(tmp_path / "none.mp")
    with pytest.raises(InputError, match="unknown subject file"):
        read_subject_file(tmp_path / "x.txt")


def test_subject_from_values_and_validation() -> None:
    s = subject_from_values(mass_kg=70, leg_length_m={"left": 0.9, "right": 0.91},
                            knee_width_m=0.1, ankle_width_m=0.07)
    assert s.knee_width_m == {"left": 0.1, "right": 0.1}
    assert s.source == "arguments"
    with pytest.raises(InputError, match="mass_kg"):
        subject_from_values(mass_kg=400, leg_length_m=0.9, knee_width_m=0.1, ankle_width_m=0.07)
    with pytest.raises(InputError, match="leg_length_m"):
        subject_from_values(mass_kg=70, leg_length_m=900, knee_width_m=0.1, ankle_width_m=0.07)
    with pytest.raises(InputError, match="knee_width_m"):
        subject_from_values(mass_kg=70, leg_length_m=0.9, knee_width_m=-0.1, ankle_width_m=0.07)
    with pytest.raises(InputError, match="'left' and 'right'"):
        subject_from_values(mass_kg=70, leg_length_m={"left": 0.9}, knee_width_m=0.1,
                            ankle_width_m=0.07)
    with pytest.raises(InputError, match="tibial_torsion_deg"):
        subject_from_values(mass_kg=70, leg_length_m=0.9, knee_width_m=0.1, ankle_width_m=0.07,
                            tibial_torsion_deg=120.0)


def _processing(**values: float) -> dict[str, Any]:
    return {"PROCESSING": {k: {"value": np.array([v])} for k, v in values.items()}}


BASE = dict(Bodymass=60.0, LLegLength=850.0, RLegLength=850.0, LKneeWidth=100.0,
            RKneeWidth=100.0, LAnkleWidth=70.0, RAnkleWidth=70.0)


def test_processing_angles_radians_or_degrees() -> None:
    rad = subject_from_processing(_processing(**BASE, LTibialTorsion=-0.3), "f.c3d")
    assert rad is not None
    assert rad.tibial_torsion_deg["left"] == pytest.approx(math.degrees(-0.3))
    deg = subject_from_processing(_processing(**BASE, LTibialTorsion=-19.0), "f.c3d")
    assert deg is not None and deg.tibial_torsion_deg["left"] == -19.0
    forced = subject_from_processing(_processing(**BASE, LTibialTorsion=-0.3), "f.c3d",
                                     angle_unit="deg")
    assert forced is not None and forced.tibial_torsion_deg["left"] == -0.3


def test_processing_missing_values_give_none_and_bad_values_raise() -> None:
    assert subject_from_processing({}, "f.c3d") is None
    assert subject_from_processing(_processing(**{**BASE, "Bodymass": 0.0}), "f.c3d") is None
    no_knee = {k: v for k, v in BASE.items() if k != "LKneeWidth"}
    assert subject_from_processing(_processing(**no_knee), "f.c3d") is None
    with pytest.raises(InputError, match="PROCESSING") as info:
        subject_from_processing(_processing(**{**BASE, "Bodymass": 900.0}), "f.c3d")
    assert info.value.source == "f.c3d"
