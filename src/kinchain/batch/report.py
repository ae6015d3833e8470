"""``cohort.html``: a self-contained summary of a batch output folder.

Group means and bands (±1 SD over trials and sides) of the sagittal curves, parameter
distributions by group, finding prevalence by group and the table of trials that failed with
the reason. Figures are matplotlib PNGs embedded as base64; no file outside the page is needed.
"""

from __future__ import annotations

import base64
import html
import io
import os
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from urllib.parse import unquote

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from kinchain import DISCLAIMER, __version__
from kinchain.batch.schema import FINDING_NAMES, SCHEMAS, SIDES

_CURVES = [
    ("HipAngles_X", "Hip flexion", "deg"),
    ("KneeAngles_X", "Knee flexion", "deg"),
    ("AnkleAngles_X", "Ankle dorsiflexion", "deg"),
    ("HipMoment_X", "Hip extensor moment", "N·m/kg"),
    ("KneeMoment_X", "Knee extensor moment", "N·m/kg"),
    ("AnkleMoment_X", "Ankle plantarflexor moment", "N·m/kg"),
    ("HipPower_Z", "Hip power", "W/kg"),
    ("KneePower_Z", "Knee power", "W/kg"),
    ("AnklePower_Z", "Ankle power", "W/kg"),
]
_PARAMS = [
    ("speed_m_s", "Walking speed", "m/s"),
    ("cadence_steps_min", "Cadence", "steps/min"),
    ("stride_length_m", "Stride length", "m"),
    ("stance_pct", "Stance", "% of stride"),
    ("step_width_m", "Step width", "m"),
    ("gps_overall_deg", "Gait Profile Score (overall)", "deg"),
]


def read_table(out: Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One output table as a DataFrame (empty with the table's columns if it has no file).

    Files are read one at a time, only the columns asked for (a dataset scan of thousands of
    small files holds far more memory), and ``group`` is taken from the partition folder.
    """
    root = out / table
    schema = SCHEMAS[table]
    names = columns or [*schema.names, "group"]
    file_cols = [c for c in names if c != "group"]
    parts: list[pa.Table] = []
    for folder in sorted(root.glob("group=*")) if root.is_dir() else []:
        group = unquote(folder.name.removeprefix("group="))
        for f in sorted(folder.glob("*.parquet")):
            t = pq.read_table(f, columns=file_cols, schema=schema)
            if "group" in names:
                t = t.append_column("group", pa.array([group] * t.num_rows, pa.string()))
            parts.append(t)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    return pa.concat_tables(parts).select(names).to_pandas()


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _colors(groups: list[str]) -> dict[str, tuple[float, float, float, float]]:
    cmap = plt.get_cmap("tab10")
    return {g: cmap(i % 10) for i, g in enumerate(groups)}


def _curves_figure(curves: pd.DataFrame, groups: list[str]) -> str | None:
    if curves.empty:
        return None
    colors = _colors(groups)
    fig, axes = plt.subplots(3, 3, figsize=(13, 9.5), sharex=True)
    pct = np.arange(101)
    for ax, (col, title, unit) in zip(axes.T.ravel(), _CURVES, strict=True):
        for g in groups:
            sub = curves[(curves["group"] == g) & (curves["n_cycles"] > 0)]
            if sub.empty or sub[col].isna().all():
                continue
            wide = sub.pivot_table(index=["trial_id", "side"], columns="pct", values=col)
            wide = wide.reindex(columns=pct)
            n = int(wide.notna().any(axis=1).sum())
            with np.errstate(all="ignore"):
                mean = np.nanmean(wide.to_numpy(dtype=float), axis=0)
                sd = np.nanstd(wide.to_numpy(dtype=float), axis=0, ddof=1) if n > 1 else None
            ax.plot(pct, mean, color=colors[g], lw=1.8, label=f"{g} (n={n} sides)")
            if sd is not None:
                ax.fill_between(pct, mean - sd, mean + sd, color=colors[g], alpha=0.2, lw=0)
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.25)
    for ax in axes[-1]:
        ax.set_xlabel("% of gait cycle", fontsize=9)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="upper center",
            ncol=min(4, len(labels)),
            fontsize=10,
            frameon=False,
        )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return _png(fig)


def _side_mean(trials: pd.DataFrame, name: str) -> pd.Series:
    if name in trials:
        return pd.to_numeric(trials[name], errors="coerce")
    left = pd.to_numeric(trials[f"left_{name}"], errors="coerce")
    right = pd.to_numeric(trials[f"right_{name}"], errors="coerce")
    return pd.concat([left, right], axis=1).mean(axis=1, skipna=True)


def _params_figure(ok: pd.DataFrame, groups: list[str]) -> str | None:
    if ok.empty:
        return None
    colors = _colors(groups)
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
    for ax, (name, title, unit) in zip(axes.ravel(), _PARAMS, strict=True):
        values = _side_mean(ok, name)
        data = [values[ok["group"] == g].dropna().to_numpy() for g in groups]
        pos = [i + 1 for i, d in enumerate(data) if len(d)]
        kept = [d for d in data if len(d)]
        if kept:
            box = ax.boxplot(kept, positions=pos, widths=0.55, patch_artist=True, showfliers=False)
            for patch, i in zip(box["boxes"], pos, strict=True):
                patch.set_facecolor(colors[groups[i - 1]])
                patch.set_alpha(0.35)
            rng = np.random.default_rng(0)
            for i, d in zip(pos, kept, strict=True):
                ax.scatter(
                    i + rng.uniform(-0.12, 0.12, len(d)),
                    d,
                    s=14,
                    color=colors[groups[i - 1]],
                    zorder=3,
                )
        ax.set_xticks(range(1, len(groups) + 1), groups, fontsize=9)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.25)
    fig.tight_layout()
    return _png(fig)


def _fired_columns(name: str) -> list[str]:
    return [f"finding_{name}_{side}_fired" for side in SIDES]


def prevalence(ok: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """Finding x group: trials with the finding fired on either side, and trials where it could
    be evaluated on at least one side."""
    rows = []
    for name in FINDING_NAMES:
        cols = _fired_columns(name)
        for g in groups:
            sub = ok.loc[ok["group"] == g, cols]
            evaluable = sub.notna().any(axis=1)
            fired = sub.fillna(False).astype(bool).any(axis=1)
            n, k = int(evaluable.sum()), int((fired & evaluable).sum())
            rows.append(
                {
                    "finding": name,
                    "group": g,
                    "fired": k,
                    "evaluable": n,
                    "pct": 100.0 * k / n if n else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def _prevalence_figure(prev: pd.DataFrame, groups: list[str]) -> str | None:
    if prev.empty or prev["evaluable"].sum() == 0:
        return None
    colors = _colors(groups)
    fig, ax = plt.subplots(figsize=(13, 4.2))
    y = np.arange(len(FINDING_NAMES))
    h = 0.8 / max(1, len(groups))
    for i, g in enumerate(groups):
        sub = prev[prev["group"] == g].set_index("finding").reindex(FINDING_NAMES)
        ax.barh(y + i * h - 0.4 + h / 2, sub["pct"].fillna(0), height=h, color=colors[g], label=g)
    ax.set_yticks(y, [n.replace("_", " ") for n in FINDING_NAMES], fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of evaluable trials with the finding (either side)", fontsize=10)
    ax.grid(axis="x", alpha=0.25)
    ax.legend(fontsize=9, frameon=False, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1200px;color:#222;font-size:15px;line-height:1.45}
h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:32px;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:13px}.note{background:#fff8e1;border-left:4px solid #f0b400;
padding:8px 12px;font-size:13px}.cards{display:flex;gap:12px;margin:16px 0}
.card{flex:1;border:1px solid #ddd;border-radius:6px;padding:10px 14px}
.card b{display:block;font-size:24px}.card.bad b{color:#b00020}
table{border-collapse:collapse;margin:8px 0;font-size:13px;width:100%}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}img{width:100%;height:auto}td.num{text-align:right}
.errors td:nth-child(3){font-family:ui-monospace,Menlo,monospace;font-size:12px}
"""


def render_report(out: Path) -> str:
    """The cohort report of an output folder, as one HTML string."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return _render(out)


def _render(out: Path) -> str:
    trial_cols = ["trial_id", "subject_id", "status", "group", "gps_overall_deg"]
    trial_cols += [f"{s}_{n}" for n, _, _ in _PARAMS if n != "gps_overall_deg" for s in SIDES]
    trial_cols += [c for n in FINDING_NAMES for c in _fired_columns(n)]
    trials = read_table(out, "trials", trial_cols)
    errors = read_table(out, "errors")
    curve_cols = ["trial_id", "side", "pct", "n_cycles", "group"] + [c for c, _, _ in _CURVES]
    curves = read_table(out, "curves", curve_cols)
    ok = trials[trials["status"] == "ok"]
    groups = sorted(trials["group"].dropna().unique().tolist())
    n_subjects = trials.loc[trials["subject_id"].fillna("") != "", "subject_id"].nunique()
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>kinchain cohort report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Cohort report</h1>",
        f"<p class='meta'>{html.escape(str(out))} · kinchain {__version__} · generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}</p>",
        f"<p class='note'>{html.escape(DISCLAIMER)} Normative comparisons use Schwartz et al. "
        "2008 (mostly children), speed-matched.</p>",
        "<div class='cards'>",
        f"<div class='card'><b>{len(trials)}</b>trials</div>",
        f"<div class='card'><b>{len(ok)}</b>analysed</div>",
        f"<div class='card bad'><b>{len(trials) - len(ok)}</b>failed</div>",
        f"<div class='card'><b>{n_subjects}</b>subjects</div>",
        f"<div class='card'><b>{len(groups)}</b>groups</div></div>",
    ]
    summary_rows = []
    for g in groups:
        sub = ok[ok["group"] == g]
        speed, cad, gps = (
            _side_mean(sub, n) for n in ("speed_m_s", "cadence_steps_min", "gps_overall_deg")
        )
        summary_rows.append(
            [
                g,
                str(int((trials["group"] == g).sum())),
                str(len(sub)),
                f"{_fmt(speed.mean())} ± {_fmt(speed.std())}",
                f"{_fmt(cad.mean(), 1)} ± {_fmt(cad.std(), 1)}",
                f"{_fmt(gps.mean(), 1)} ± {_fmt(gps.std(), 1)}",
            ]
        )
    parts += [
        "<h2>Groups</h2>",
        _table(
            [
                "group",
                "trials",
                "analysed",
                "speed, m/s (mean ± SD)",
                "cadence, steps/min",
                "GPS overall, deg",
            ],
            summary_rows,
        ),
    ]
    fig = _curves_figure(curves, groups)
    parts.append("<h2>Mean curves by group</h2>")
    parts.append(
        "<p>Each trial side's mean over its usable strides; the line is the group mean, the "
        "band ±1 SD over trial sides. Sagittal components; moments are net internal, powers "
        "generation positive.</p>"
    )
    parts.append(
        f"<img alt='curves' src='data:image/png;base64,{fig}'>"
        if fig
        else "<p>No analysed trial.</p>"
    )
    fig = _params_figure(ok, groups)
    parts.append("<h2>Parameters by group</h2><p>Per trial, the mean of the two sides.</p>")
    parts.append(
        f"<img alt='parameters' src='data:image/png;base64,{fig}'>"
        if fig
        else "<p>No analysed trial.</p>"
    )
    prev = prevalence(ok, groups)
    parts.append("<h2>Finding prevalence by group</h2>")
    fig = _prevalence_figure(prev, groups)
    if fig:
        parts.append(f"<img alt='prevalence' src='data:image/png;base64,{fig}'>")
    rows = []
    for name in FINDING_NAMES:
        row = [name.replace("_", " ")]
        for g in groups:
            r = prev[(prev["finding"] == name) & (prev["group"] == g)]
            k, n = (int(r["fired"].iloc[0]), int(r["evaluable"].iloc[0])) if len(r) else (0, 0)
            row.append(f"{k}/{n}" + (f" ({100 * k / n:.0f} %)" if n else ""))
        rows.append(row)
    parts.append(_table(["finding (trials fired / evaluable)", *groups], rows))
    parts.append(f"<h2>Trials that failed ({len(errors)})</h2>")
    if errors.empty:
        parts.append("<p>None.</p>")
    else:
        errors = errors.sort_values(["group", "trial_id"])
        why = [str(r.message).removeprefix(f"{r.path}: ").strip() for r in errors.itertuples()]
        errors = errors.assign(why=why)
        reasons = errors.groupby(["stage", "why"]).size().sort_values(ascending=False)
        parts.append(
            _table(
                ["trials", "stage", "reason"],
                [[str(n), *(str(v) for v in cast(tuple[str, str], k))] for k, n in reasons.items()],
            )
        )
        parts.append(
            _table(
                ["trial", "stage", "why", "group"],
                [
                    [str(r.trial_id), str(r.stage), str(r.why), str(r.group)]
                    for r in errors.itertuples()
                ],
                "errors",
            )
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: Path) -> Path:
    """Write ``OUT/cohort.html`` atomically and return its path."""
    text = render_report(out)
    path = out / "cohort.html"
    tmp = out / f".cohort.html.{uuid.uuid4().hex}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
