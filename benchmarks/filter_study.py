"""Which marker filter should kinchain use by default? Agreement with Vicon Plug-in Gait.

Plug-in Gait's stored outputs in c3d.org sample_00 and sample_09 were computed by Vicon from
markers smoothed with its Woltring filter (GCVSPL). This study processes the raw markers with

- no filter,
- a zero-lag 4th-order Butterworth low-pass (``ProcessOptions.marker_cutoff_hz``,
  ``--marker-cutoff``) at 6, 8, 10 and 12 Hz,
- a Woltring-like smoothing spline whose smoothing is chosen by generalized cross-validation
  (:func:`kinchain.kinetics.filtering.gcv_smooth`),

and prints, per trial, the RMS difference from the Plug-in Gait outputs (angles over all valid
frames, kinetics over the force-plate stance, as ``tests/validation/test_plugin_gait_agreement.py``
compares them), a noise measure (RMS of the frame-to-frame second difference of the knee moment
over the plate stance, N·m/kg, for ours and for Plug-in Gait's own curve) and the time shift of
our sagittal knee moment against Plug-in Gait's that minimises their difference (frames; a
filter that adds lag shows here).

Run: ``.venv/bin/python benchmarks/filter_study.py`` (about a minute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp
from kinchain.io.trial import Trial
from kinchain.kinetics.filtering import gcv_smooth
from kinchain.process import ProcessOptions, TrialResult, process
from kinchain.validation import Agreement, agreement, reference_values

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "c3d-org"
CUTOFFS_HZ = (6.0, 8.0, 10.0, 12.0)


def _gcv(trial: Trial) -> Trial:
    markers = {k: gcv_smooth(v, trial.point_rate) for k, v in trial.markers.items()}
    return replace(trial, markers=markers)


def _variants() -> dict[str, tuple[Callable[[Trial], Trial], float | None]]:
    out: dict[str, tuple[Callable[[Trial], Trial], float | None]] = {"none": (lambda t: t, None)}
    for fc in CUTOFFS_HZ:
        out[f"butterworth {fc:g} Hz"] = (lambda t: t, fc)
    out["GCV spline (Woltring-like)"] = (_gcv, None)
    return out


def _trials() -> dict[str, tuple[Trial, Trial]]:
    s00 = read_c3d(DATA / "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    subject = replace(read_mp(DATA / "sample_09/42798.mp"), marker_diameter_m=0.025)
    s09 = read_c3d(DATA / "sample_09/VER4C3D.c3d", subject=subject)
    return {
        "sample_00": (s00, s00),
        "sample_09": (s09, read_c3d(DATA / "sample_09/PlugInC3D.c3d")),
    }


def _stance(result: TrialResult, side: str) -> list[slice]:
    return [slice(c.start, c.end + 1) for c in result.contacts if c.used and c.side == side]


def _second_diff_rms(x: np.ndarray) -> float:
    d2 = np.diff(x, n=2)
    d2 = d2[np.isfinite(d2)]
    return float(np.sqrt(np.mean(d2**2))) if d2.size else float("nan")


def _best_shift(ours: np.ndarray, ref: np.ndarray, max_shift: int = 4) -> float:
    """Shift s (frames, parabola-refined) minimising RMS(ours[t] - ref[t - s]) on finite frames:
    positive when ours lags the reference."""
    rms = []
    for s in range(-max_shift, max_shift + 1):
        a = ours[max_shift : len(ours) - max_shift]
        b = ref[max_shift - s : len(ref) - max_shift - s]
        ok = np.isfinite(a) & np.isfinite(b)
        rms.append(np.sqrt(np.mean((a[ok] - b[ok]) ** 2)) if ok.sum() > 10 else np.inf)
    r = np.asarray(rms)
    i = int(np.argmin(r))
    if 0 < i < len(r) - 1 and np.isfinite(r[i - 1 : i + 2]).all():
        den = r[i - 1] - 2 * r[i] + r[i + 1]
        off = 0.5 * (r[i - 1] - r[i + 1]) / den if den > 0 else 0.0
    else:
        off = 0.0
    return float(i - max_shift + off)


def summarise(result: TrialResult, reference: Trial) -> dict[str, float]:
    """The study's figures for one processed trial against its Plug-in Gait reference."""
    agree: dict[str, Agreement] = agreement(result, reference)

    def mean_rms(suffix: str, comps: tuple[int, ...], joints: tuple[str, ...]) -> float:
        vals = [
            agree[f"{s}{j}{suffix}"].rms[k]
            for s in "LR"
            for j in joints
            for k in comps
            if f"{s}{j}{suffix}" in agree
        ]
        return float(np.mean(vals)) if vals else float("nan")

    joints = ("Hip", "Knee", "Ankle")
    out = {
        "angle_sagittal_deg": mean_rms("Angles", (0,), joints),
        "angle_all_deg": mean_rms("Angles", (0, 1, 2), (*joints, "Pelvis", "FootProgress")),
        "moment_sagittal_nm_kg": mean_rms("Moment", (0,), joints),
        "moment_knee_frontal_nm_kg": mean_rms("Moment", (1,), ("Knee",)),
        "moment_all_nm_kg": mean_rms("Moment", (0, 1, 2), joints),
        "power_w_kg": mean_rms("Power", (2,), joints),
    }
    noise, noise_ref, shifts = [], [], []
    for side, p in (("left", "L"), ("right", "R")):
        ref = reference_values(reference, f"{p}KneeMoment")
        ours = result.outputs[f"{p}KneeMoment"]
        for s in _stance(result, side):
            noise.append(_second_diff_rms(ours[s, 0]))
            if ref is not None:
                noise_ref.append(_second_diff_rms(ref[s, 0]))
                mask = np.full(len(ours), np.nan)
                mask[s] = 1.0
                shifts.append(_best_shift(ours[:, 0] * mask, ref[:, 0] * mask))
    out["knee_moment_d2_rms_nm_kg"] = float(np.nanmean(noise)) if noise else float("nan")
    out["pig_knee_moment_d2_rms_nm_kg"] = float(np.nanmean(noise_ref)) if noise_ref else np.nan
    out["knee_moment_shift_frames"] = float(np.mean(shifts)) if shifts else float("nan")
    return out


COLUMNS = (
    ("angle_sagittal_deg", "sagittal angles, deg", 2),
    ("angle_all_deg", "all angles, deg", 2),
    ("moment_sagittal_nm_kg", "sagittal moments, N·m/kg", 3),
    ("moment_knee_frontal_nm_kg", "knee frontal moment, N·m/kg", 3),
    ("moment_all_nm_kg", "all moments, N·m/kg", 3),
    ("power_w_kg", "powers, W/kg", 3),
    ("knee_moment_d2_rms_nm_kg", "knee moment 2nd diff (PiG), N·m/kg", 4),
    ("knee_moment_shift_frames", "knee moment shift, frames", 2),
)


def main() -> None:
    """Print one Markdown table per trial: mean RMS differences from Plug-in Gait."""
    variants = _variants()
    for name, (raw, reference) in _trials().items():
        print(f"\n### {name} (mean RMS difference from Plug-in Gait over both sides)\n")
        print("| filter | " + " | ".join(c[1] for c in COLUMNS) + " |")
        print("| --- " * (len(COLUMNS) + 1) + "|")
        for label, (prepare, cutoff) in variants.items():
            result = process(prepare(raw), options=ProcessOptions(marker_cutoff_hz=cutoff))
            s = summarise(result, reference)
            cells = []
            for key, _, digits in COLUMNS:
                cell = f"{s[key]:.{digits}f}"
                if key == "knee_moment_d2_rms_nm_kg":
                    cell += f" ({s['pig_knee_moment_d2_rms_nm_kg']:.{digits}f})"
                cells.append(cell)
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
