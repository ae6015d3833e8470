"""The output tables' fixed Arrow schemas (``whatif`` only with ``kinchain batch --whatif``).

Every Parquet file of a table has exactly its schema, whatever the trial gave (a failed trial's
row has nulls), so pandas, pyarrow and DuckDB read a folder of files as one table. The ``group``
column is not in the files: it is the Hive partition folder (``group=<label>``).
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa

from kinchain.gait.normative import GPS_VARIABLES
from kinchain.gait.spatiotemporal import PARAMETER_UNITS

SIDES: tuple[Literal["left"], Literal["right"]] = ("left", "right")

#: Stable finding names, in :func:`kinchain.chain.detect.detect_findings` order.
FINDING_NAMES = (
    "antalgic_gait",
    "altered_foot_strike_timing",
    "stiff_knee",
    "leg_rotation",
    "overpronation",
    "supination",
    "ankle_overload",
    "knee_to_ankle_propagation",
)

#: Curve families stored in ``curves/`` (Plug-in Gait label without the side letter) and the
#: components kept (powers: Z only, the total power).
CURVE_LABELS: dict[str, str] = {
    "PelvisAngles": "XYZ",
    "HipAngles": "XYZ",
    "KneeAngles": "XYZ",
    "AnkleAngles": "XYZ",
    "FootProgressAngles": "XYZ",
    "HipMoment": "XYZ",
    "KneeMoment": "XYZ",
    "AnkleMoment": "XYZ",
    "HipPower": "Z",
    "KneePower": "Z",
    "AnklePower": "Z",
}

#: Identity columns shared by the three tables (``group`` is the partition).
_ID = [
    ("trial_id", pa.string()),
    ("path", pa.string()),
    ("subject_id", pa.string()),
    ("visit", pa.string()),
]
_PROV = [
    ("input_sha256", pa.string()),
    ("params_hash", pa.string()),
    ("kinchain_version", pa.string()),
    ("processed_at", pa.timestamp("ms", tz="UTC")),
]


def spatiotemporal_columns() -> list[str]:
    """``<side>_<parameter>`` for both sides, every parameter of PARAMETER_UNITS."""
    return [f"{s}_{p}" for s in SIDES for p in PARAMETER_UNITS]


def gvs_columns() -> list[str]:
    """``gvs_<side>_<variable>_deg`` for both sides and the 9 GPS variables."""
    return [f"gvs_{s}_{v}_deg" for s in SIDES for v in GPS_VARIABLES]


def finding_columns() -> list[tuple[str, str, str, str]]:
    """(name, side, fired column, value column) for every finding and side."""
    return [
        (n, s, f"finding_{n}_{s}_fired", f"finding_{n}_{s}_value")
        for n in FINDING_NAMES
        for s in SIDES
    ]


def curve_columns() -> list[str]:
    """``<Family>_<axis>`` float columns of ``curves/``."""
    return [f"{fam}_{ax}" for fam, axes in CURVE_LABELS.items() for ax in axes]


def trials_schema() -> pa.Schema:
    fields: list[tuple[str, pa.DataType]] = [
        *_ID,
        ("status", pa.string()),
        *_PROV,
        ("subject_sha256", pa.string()),
        ("n_frames", pa.int64()),
        ("point_rate_hz", pa.float64()),
        ("left_n_strides", pa.int64()),
        ("right_n_strides", pa.int64()),
    ]
    fields += [(c, pa.float64()) for c in spatiotemporal_columns()]
    fields += [("normative", pa.string())]
    fields += [
        ("gps_left_deg", pa.float64()),
        ("gps_right_deg", pa.float64()),
        ("gps_overall_deg", pa.float64()),
    ]
    fields += [(c, pa.float64()) for c in gvs_columns()]
    for _, _, fired, value in finding_columns():
        fields += [(fired, pa.bool_()), (value, pa.float64())]
    return pa.schema(fields)


def curves_schema() -> pa.Schema:
    fields: list[tuple[str, pa.DataType]] = [
        ("trial_id", pa.string()),
        ("subject_id", pa.string()),
        ("visit", pa.string()),
        ("side", pa.string()),
        ("pct", pa.int16()),
        ("n_cycles", pa.int64()),
    ]
    fields += [(c, pa.float64()) for c in curve_columns()]
    return pa.schema(fields)


def errors_schema() -> pa.Schema:
    return pa.schema(
        [
            *_ID,
            ("stage", pa.string()),
            ("error_type", pa.string()),
            ("message", pa.string()),
            *_PROV,
        ]
    )


def whatif_schema() -> pa.Schema:
    """``whatif/`` (``kinchain batch --whatif``): one row per trial, scenario, side and measure
    of :func:`kinchain.sim.compare` (peak and mean over the stride, restricted minus baseline),
    with the solves' status. Predictions from a simplified model, not measurements."""
    return pa.schema(
        [
            *_ID,
            ("scenario", pa.string()),
            ("stride_side", pa.string()),
            ("side", pa.string()),
            ("measure", pa.string()),
            ("unit", pa.string()),
            ("baseline_peak", pa.float64()),
            ("restricted_peak", pa.float64()),
            ("peak_change", pa.float64()),
            ("peak_change_pct", pa.float64()),
            ("baseline_mean", pa.float64()),
            ("restricted_mean", pa.float64()),
            ("mean_change", pa.float64()),
            ("mean_change_pct", pa.float64()),
            ("baseline_iterations", pa.int64()),
            ("restricted_iterations", pa.int64()),
            ("baseline_tracking_rms_deg", pa.float64()),
            ("baseline_moment_rms_nm_per_kg", pa.float64()),
            ("solve_seconds", pa.float64()),
            *_PROV,
        ]
    )


TABLES = ("trials", "curves", "errors", "whatif")
SCHEMAS: dict[str, pa.Schema] = {
    "trials": trials_schema(),
    "curves": curves_schema(),
    "errors": errors_schema(),
    "whatif": whatif_schema(),
}
