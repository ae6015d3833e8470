"""Subject measurements: .mp, .vsk, PROCESSING group, explicit values, validation."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinchain.errors import InputError
from kinchain.io import read_mp, read_subject_file, read_vsk, subject_from_values
from kinchain.io.c3d import read_c3d
from kinchain.io.subject import SUBJECT_UNITS, subject_from_processing
from kinchain.io.trial import SubjectMeasurements
from kinchain.process import process, sidecar
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


# A Vicon Nexus subject file, following the structure Nexus writes (PlugInGait .vsk: long names,
# QUANTITY attributes, EXPRESSION for derived values, a parameter without VALUE, fitted marker
# positions as <Parameter>, then the skeleton). The values are made up; angles are in radians.
NEXUS_VSK = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<KinematicModel MODEL="PlugInGait" VERSION="2.5"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:noNamespaceSchemaLocation="http://www.vicon.com/Schemas/ViconVST.xsd">
  <Parameters>
    <StaticParameter ADVANCED="0" HIDDEN="0" NAME="Bodymass" PRIOR="65" QUANTITY="mass"
      READONLY="0" REQUIRED="1" VALUE="{mass}"/>
    <StaticParameter NAME="Height" PRIOR="1700" QUANTITY="length" REQUIRED="1" VALUE="1760"/>
    <StaticParameter NAME="InterAsisDistance" PRIOR="200" QUANTITY="length" VALUE="245"/>
    {left_leg}
    <StaticParameter EXPRESSION="( 0.1288 * LeftLegLength ) - 48.56"
      NAME="LeftAsisTrocanterDistance" QUANTITY="length" VALUE="68"/>
    <StaticParameter NAME="LeftKneeWidth" PRIOR="120" QUANTITY="length" VALUE="104"/>
    <StaticParameter NAME="LeftAnkleWidth" PRIOR="100" QUANTITY="length" VALUE="71"/>
    <StaticParameter NAME="LeftTibialTorsion" PRIOR="0" QUANTITY="angle" VALUE="-0.2"/>
    <StaticParameter NAME="LeftSoleDelta" PRIOR="0" QUANTITY="length" VALUE="0"/>
    <StaticParameter NAME="LeftThighRotation" PRIOR="0" QUANTITY="angle" VALUE="0.05"/>
    <StaticParameter NAME="LeftShankRotation" PRIOR="0" QUANTITY="angle" VALUE="-0.1"/>
    <StaticParameter NAME="LeftStaticPlantFlex" PRIOR="0" QUANTITY="angle" VALUE="0.25"/>
    <StaticParameter NAME="LeftStaticRotOff" PRIOR="0" QUANTITY="angle" VALUE="-0.05"/>
    <StaticParameter NAME="LeftAnkleAbAdd" PRIOR="0" QUANTITY="angle" VALUE="0"/>
    <StaticParameter NAME="RightLegLength" PRIOR="800" QUANTITY="length" VALUE="900"/>
    <StaticParameter EXPRESSION="( 0.1288 * RightLegLength ) - 48.56"
      NAME="RightAsisTrocanterDistance" QUANTITY="length" VALUE="67"/>
    <StaticParameter NAME="RightKneeWidth" PRIOR="120" QUANTITY="length" VALUE="103"/>
    <StaticParameter NAME="RightAnkleWidth" PRIOR="100" QUANTITY="length" VALUE="72"/>
    <StaticParameter NAME="RightTibialTorsion" PRIOR="0" QUANTITY="angle"/>
    <StaticParameter NAME="RightStaticPlantFlex" PRIOR="0" QUANTITY="angle" VALUE="0.1"/>
    <StaticParameter NAME="RightStaticRotOff" PRIOR="0" QUANTITY="angle" VALUE="0.03"/>
    <StaticParameter EXPRESSION="( LeftLegLength + RightLegLength ) / 2" HIDDEN="1"
      NAME="MeanLegLength" QUANTITY="length" READONLY="1" VALUE="0"/>
    <StaticParameter HIDDEN="1" NAME="Theta" PRIOR="0.5" QUANTITY="angle" VALUE="0.5"/>
    <Parameter HIDDEN="1" NAME="LTOEx" PRIOR="130" SD="0" VALUE="130.1"/>
    <Parameter HIDDEN="1" NAME="RHEEx" PRIOR="-30" SD="0" VALUE="-47.8"/>
  </Parameters>
  <Skeleton>
    <Segment NAME="Pelvis" RGB="192 192 192"/>
  </Skeleton>
</KinematicModel>
"""
LEFT_LEG = '<StaticParameter NAME="LeftLegLength" PRIOR="800" QUANTITY="length" VALUE="905"/>'


def _nexus_vsk(tmp_path: Path, mass: str = "72.5", left_leg: str = LEFT_LEG) -> Path:
    p = tmp_path / "nexus.vsk"
    p.write_text(NEXUS_VSK.format(mass=mass, left_leg=left_leg))
    return p


def test_read_nexus_vsk_long_names_and_radians(tmp_path: Path) -> None:
    path = _nexus_vsk(tmp_path)
    s = read_vsk(path)
    assert s.mass_kg == 72.5
    assert s.height_m == pytest.approx(1.760)
    assert s.inter_asis_m == pytest.approx(0.245)
    assert s.leg_length_m == pytest.approx({"left": 0.905, "right": 0.900})
    assert s.knee_width_m == pytest.approx({"left": 0.104, "right": 0.103})
    assert s.ankle_width_m == pytest.approx({"left": 0.071, "right": 0.072})
    assert s.asis_trochanter_m == pytest.approx({"left": 0.068, "right": 0.067})
    # Angles: radians in the file, degrees out; a parameter without VALUE counts as absent (0).
    assert s.tibial_torsion_deg == pytest.approx({"left": math.degrees(-0.2), "right": 0.0})
    assert s.thigh_rotation_deg == pytest.approx({"left": math.degrees(0.05), "right": 0.0})
    assert s.shank_rotation_deg == pytest.approx({"left": math.degrees(-0.1), "right": 0.0})
    assert s.static_plantar_flexion_deg == pytest.approx(
        {"left": math.degrees(0.25), "right": math.degrees(0.1)}
    )
    assert s.static_rotation_offset_deg == pytest.approx(
        {"left": math.degrees(-0.05), "right": math.degrees(0.03)}
    )
    assert s.marker_diameter_m == 0.014  # not in the file: the Plug-in Gait default
    assert str(path) in s.source and "Nexus" in s.source and "rad -> deg" in s.source
    assert read_subject_file(path) == s


def test_older_vsk_form_keeps_degrees_and_says_so(tmp_path: Path) -> None:
    s = read_vsk(_vsk(tmp_path))
    assert s.tibial_torsion_deg["left"] == -12.5
    assert "older <Parameter> form" in s.source and "angles deg" in s.source


def _mp_values() -> dict[str, float]:
    values = {}
    for line in MP.read_text().splitlines():
        if line.startswith("$"):
            name, value = line[1:].split("=")
            values[name.strip()] = float(value)
    return values


def _mp_as_nexus(values: dict[str, float]) -> str:
    """The .mp values written as a Nexus .vsk: long names, angle offsets in radians."""
    angles = ("TibialTorsion", "ThighRotation", "ShankRotation", "StaticPlantFlex", "StaticRotOff")
    lines = []
    for name, value in values.items():
        long = name
        if name[0] in "LR" and name[1].isupper():
            long = ("Left" if name[0] == "L" else "Right") + name[1:]
        is_angle = name[1:] in angles
        quantity = "angle" if is_angle else "mass" if name == "Bodymass" else "length"
        stored = math.radians(value) if is_angle else value
        lines.append(f'<StaticParameter NAME="{long}" QUANTITY="{quantity}" VALUE="{stored!r}"/>')
    body = "\n".join(lines)
    return f"<KinematicModel MODEL=\"PlugInGait\"><Parameters>{body}</Parameters></KinematicModel>"


def test_nexus_vsk_of_the_sample_09_subject_equals_its_mp(tmp_path: Path) -> None:
    vsk = tmp_path / "42798.vsk"
    vsk.write_text(_mp_as_nexus(_mp_values()))
    from_vsk = read_vsk(vsk)
    from_mp = read_mp(MP)
    for f in dataclasses.fields(from_mp):
        if f.name != "source":
            assert getattr(from_vsk, f.name) == pytest.approx(getattr(from_mp, f.name)), f.name


def test_nexus_vsk_missing_measurements_named_in_nexus_form(tmp_path: Path) -> None:
    path = _nexus_vsk(tmp_path, mass="0", left_leg="")
    with pytest.raises(InputError) as info:
        read_vsk(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "Bodymass, LeftLegLength" in message and "StaticParameter" in message


def test_vsk_with_neither_form_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.vsk"
    path.write_text('<KinematicModel><Parameters><Marker NAME="LASI"/></Parameters>'
                    "</KinematicModel>")
    with pytest.raises(InputError, match=r"StaticParameter.*Parameter") as info:
        read_vsk(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    older = tmp_path / "older.vsk"
    older.write_text('<KinematicModel><Parameters><Parameter NAME="LLegLength" VALUE="900"/>'
                     "</Parameters></KinematicModel>")
    with pytest.raises(InputError, match=r"\(<Parameter>\): Bodymass, RLegLength, LKneeWidth"):
        read_vsk(older)


def test_subject_units_cover_every_measurement() -> None:
    names = {f.name for f in dataclasses.fields(SubjectMeasurements)}
    assert set(SUBJECT_UNITS) == names
    assert SUBJECT_UNITS["mass_kg"] == "kg" and SUBJECT_UNITS["leg_length_m"] == "m"
    assert SUBJECT_UNITS["static_plantar_flexion_deg"] == "deg"
    assert SUBJECT_UNITS["source"] == "text"


def test_sidecar_records_subject_units_and_the_vsk_form(tmp_path: Path) -> None:
    folder = shared_data() / "c3d-org" / "sample_09"
    vsk = tmp_path / "42798.vsk"
    vsk.write_text(_mp_as_nexus(_mp_values()))
    trial = read_c3d(folder / "VER4C3D.c3d", subject=read_vsk(vsk))
    side = json.loads(sidecar(process(trial, kinetics=False)))
    prov = side["provenance"]
    assert prov["subject_units"] == SUBJECT_UNITS
    assert prov["subject"]["tibial_torsion_deg"]["left"] == pytest.approx(-19.0)
    assert "Nexus" in prov["subject"]["source"]
