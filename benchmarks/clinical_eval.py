"""Measure kinchain's clinical engine on the vignette suite (tests/clinical/vignettes/*.json).

Prints a table: triage accuracy, under-triage and over-triage rates, cause top-1/top-3 and
specialist accuracy, then every disagreement with the expected labels. Exit code 1 if any vignette
with an expected red flag is under-triaged (the suite requires zero), else 0.

Usage: ``python benchmarks/clinical_eval.py [--vignettes DIR] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kinchain.clinical import Urgency, assess, parse_intake

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "tests" / "clinical" / "vignettes"


def load_vignettes(directory: Path) -> list[dict[str, Any]]:
    """All vignettes in ``directory`` (each file a JSON list of vignettes, or one vignette)."""
    out: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for v in data if isinstance(data, list) else [data]:
            v["_file"] = path.name
            out.append(v)
    return out


def evaluate(vignettes: list[dict[str, Any]]) -> dict[str, Any]:
    """Run every vignette; return the metrics and the per-vignette rows."""
    rows = []
    for v in vignettes:
        a = assess(parse_intake(v["intake"]))
        exp = v["expected"]
        exp_u = Urgency(exp["urgency"])
        causes = [c.cause.value for c in a.causes]
        fired = {f.rule_id for f in a.red_flags}
        rows.append(
            {
                "id": v["id"],
                "expected_urgency": exp_u.value,
                "urgency": a.urgency.value,
                "under": a.urgency.rank < exp_u.rank,
                "over": a.urgency.rank > exp_u.rank,
                "red_flag_vignette": bool(exp.get("red_flags")),
                "missing_flags": sorted(set(exp.get("red_flags", [])) - fired),
                "expected_cause": exp["cause"],
                "causes": causes[:3],
                "top1": causes[0] == exp["cause"],
                "top3": exp["cause"] in causes[:3],
                "expected_specialist": exp["specialist"],
                "specialist": a.referral.specialist.value,
                "specialist_ok": a.referral.specialist.value == exp["specialist"],
            }
        )
    n = len(rows)
    rf = [r for r in rows if r["red_flag_vignette"]]

    def rate(key: str, pool: list[dict[str, Any]]) -> float:
        return sum(1 for r in pool if r[key]) / len(pool) if pool else 0.0

    metrics = {
        "vignettes": n,
        "triage_accuracy": sum(1 for r in rows if not r["under"] and not r["over"]) / n,
        "under_triage_rate": rate("under", rows),
        "over_triage_rate": rate("over", rows),
        "red_flag_vignettes": len(rf),
        "red_flag_under_triage": sum(1 for r in rf if r["under"]),
        "red_flags_missed": sum(1 for r in rows if r["missing_flags"]),
        "cause_top1": rate("top1", rows),
        "cause_top3": rate("top3", rows),
        "specialist_accuracy": rate("specialist_ok", rows),
    }
    return {"metrics": metrics, "rows": rows}


def _table(metrics: dict[str, Any]) -> str:
    lines = ["| metric | value |", "| --- | --- |"]
    for k, v in metrics.items():
        lines.append(f"| {k} | {v:.1%} |" if isinstance(v, float) else f"| {k} | {v} |")
    return "\n".join(lines)


def _confusion(rows: list[dict[str, Any]]) -> str:
    levels = [u.value for u in Urgency]
    lines = [
        "| expected \\ kinchain | " + " | ".join(levels) + " |",
        "| --- |" + " --- |" * len(levels),
    ]
    for e in levels:
        counts = [
            sum(1 for r in rows if r["expected_urgency"] == e and r["urgency"] == k) for k in levels
        ]
        lines.append(f"| {e} | " + " | ".join(str(c) for c in counts) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", action="store_true", help="print metrics and rows as JSON")
    args = parser.parse_args(argv)
    result = evaluate(load_vignettes(args.vignettes))
    m = result["metrics"]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        where = args.vignettes.resolve()
        shown = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        print(f"kinchain clinical evaluation on {m['vignettes']} vignettes ({shown})\n")
        print(_table(m))
        print("\nUrgency (rows: expected, columns: kinchain):\n")
        print(_confusion(result["rows"]))
        bad = [
            r
            for r in result["rows"]
            if r["under"]
            or r["over"]
            or not r["top1"]
            or not r["specialist_ok"]
            or r["missing_flags"]
        ]
        if bad:
            print("\nDisagreements:")
            for r in bad:
                print(
                    f"- {r['id']}: urgency {r['urgency']} (expected {r['expected_urgency']}); "
                    f"causes {r['causes']} (expected {r['expected_cause']}); specialist "
                    f"{r['specialist']} (expected {r['expected_specialist']})"
                    + (f"; missed flags {r['missing_flags']}" if r["missing_flags"] else "")
                )
    return 1 if m["red_flag_under_triage"] else 0


if __name__ == "__main__":
    sys.exit(main())
