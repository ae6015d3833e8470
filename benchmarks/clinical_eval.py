"""Measure kinchain's clinical engine on its two vignette sets.

* **frozen** (``tests/clinical/vignettes_frozen/``): presentations written from published
  clinical descriptions (NICE/NICE CKS, NHS pages, case reports, textbook cases) by a hand that
  did not see the engine, before the engine was changed for them, and frozen (their SHA-256 are
  in ``FROZEN.sha256``; a test refuses any edit). This is the accuracy measure.
* **regression** (``tests/clinical/vignettes/``): the older set written with the rules; it
  measures consistency, not accuracy.

For each set: triage exact / under / over, cause top-1 and top-3 (the expected cause; a cause the
vignette lists as acceptable counts in the "incl. acceptable" columns), destination accuracy,
overall and per class, then every disagreement. Exit code 1 if any vignette is under-triaged.

Usage: ``python benchmarks/clinical_eval.py [--set frozen|regression|both] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kinchain.clinical import Urgency, assess, parse_intake

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "frozen": ROOT / "tests" / "clinical" / "vignettes_frozen",
    "regression": ROOT / "tests" / "clinical" / "vignettes",
}
DEFAULT_DIR = SETS["regression"]


def load_vignettes(directory: Path) -> list[dict[str, Any]]:
    """All vignettes in ``directory`` (each file a JSON list of vignettes, or one vignette)."""
    out: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for v in data if isinstance(data, list) else [data]:
            v["_file"] = path.name
            v.setdefault("class", path.stem)
            out.append(v)
    return out


def _row(v: dict[str, Any]) -> dict[str, Any]:
    a = assess(parse_intake(v["intake"]))
    exp = v["expected"]
    exp_u = Urgency(exp["urgency"])
    causes = [c.cause.value for c in a.causes]
    ok_causes = {exp["cause"], *exp.get("acceptable_causes", [])}
    fired = {f.rule_id for f in a.red_flags}
    return {
        "id": v["id"],
        "class": v["class"],
        "mimic": bool(v.get("mimic", False)),
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
        "top1_acceptable": causes[0] in ok_causes,
        "top3_acceptable": bool(ok_causes & set(causes[:3])),
        "expected_specialist": exp["specialist"],
        "specialist": a.referral.specialist.value,
        "specialist_ok": a.referral.specialist.value == exp["specialist"],
        "note": v.get("note", ""),
    }


def _metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)

    def rate(key: str) -> float:
        return sum(1 for r in rows if r[key]) / n if n else 0.0

    return {
        "vignettes": n,
        "triage_exact": sum(1 for r in rows if not r["under"] and not r["over"]) / n if n else 0,
        "under_triage": rate("under"),
        "under_triage_count": sum(1 for r in rows if r["under"]),
        "over_triage": rate("over"),
        "cause_top1": rate("top1"),
        "cause_top3": rate("top3"),
        "cause_top1_incl_acceptable": rate("top1_acceptable"),
        "cause_top3_incl_acceptable": rate("top3_acceptable"),
        "destination": rate("specialist_ok"),
    }


def evaluate(vignettes: list[dict[str, Any]]) -> dict[str, Any]:
    """Run every vignette; return the metrics (overall, per class, mimics vs the rest) and rows."""
    rows = [_row(v) for v in vignettes]
    metrics = _metrics(rows)
    rf = [r for r in rows if r["red_flag_vignette"]]
    metrics["red_flag_vignettes"] = len(rf)
    metrics["red_flag_under_triage"] = sum(1 for r in rf if r["under"])
    metrics["red_flags_missed"] = sum(1 for r in rows if r["missing_flags"])
    # names kept from the first version of this script
    metrics["triage_accuracy"] = metrics["triage_exact"]
    metrics["under_triage_rate"] = metrics["under_triage"]
    metrics["over_triage_rate"] = metrics["over_triage"]
    metrics["specialist_accuracy"] = metrics["destination"]
    classes = sorted({r["class"] for r in rows})
    per_class = {c: _metrics([r for r in rows if r["class"] == c]) for c in classes}
    groups = {}
    if any(r["mimic"] for r in rows):
        groups = {
            "mimics": _metrics([r for r in rows if r["mimic"]]),
            "musculoskeletal": _metrics([r for r in rows if not r["mimic"]]),
        }
    return {"metrics": metrics, "per_class": per_class, "groups": groups, "rows": rows}


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _table(result: dict[str, Any]) -> str:
    cols = [
        ("n", "vignettes"),
        ("triage", "triage_exact"),
        ("under", "under_triage"),
        ("over", "over_triage"),
        ("cause@1", "cause_top1"),
        ("cause@3", "cause_top3"),
        ("@1 acc.", "cause_top1_incl_acceptable"),
        ("@3 acc.", "cause_top3_incl_acceptable"),
        ("destination", "destination"),
    ]
    lines = [
        "| group | " + " | ".join(c for c, _ in cols) + " |",
        "| --- |" + " --- |" * len(cols),
    ]

    def line(name: str, m: dict[str, Any]) -> str:
        vals = [str(m[k]) if k == "vignettes" else _pct(m[k]) for _, k in cols]
        return f"| {name} | " + " | ".join(vals) + " |"

    lines.append(line("**all**", result["metrics"]))
    for g, m in result["groups"].items():
        lines.append(line(f"*{g}*", m))
    for c, m in result["per_class"].items():
        lines.append(line(c, m))
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


def _report(name: str, directory: Path, result: dict[str, Any]) -> None:
    m = result["metrics"]
    shown = directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory
    print(f"\n## {name} set: {m['vignettes']} vignettes ({shown})\n")
    print(_table(result))
    print("\nUrgency (rows: expected, columns: kinchain):\n")
    print(_confusion(result["rows"]))
    bad = [
        r
        for r in result["rows"]
        if r["under"] or r["over"] or not r["top1_acceptable"] or not r["specialist_ok"]
    ]
    if bad:
        print("\nDisagreements:")
        for r in bad:
            tag = "UNDER-TRIAGE " if r["under"] else ""
            print(
                f"- {tag}{r['id']}: urgency {r['urgency']} (expected {r['expected_urgency']}); "
                f"causes {r['causes']} (expected {r['expected_cause']}); destination "
                f"{r['specialist']} (expected {r['expected_specialist']})"
            )


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["frozen", "regression", "both"], default="both")
    parser.add_argument("--vignettes", type=Path, help="evaluate this folder instead")
    parser.add_argument("--json", action="store_true", help="print metrics and rows as JSON")
    args = parser.parse_args(argv)
    if args.vignettes is not None:
        chosen = {"custom": args.vignettes}
    else:
        chosen = SETS if args.set == "both" else {args.set: SETS[args.set]}
    results = {
        name: evaluate(load_vignettes(d)) for name, d in chosen.items() if any(d.glob("*.json"))
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("kinchain clinical evaluation (supports, does not replace, clinical judgement)")
        for name, result in results.items():
            _report(name, chosen[name], result)
    under = sum(r["metrics"]["under_triage_count"] for r in results.values())
    return 1 if under else 0


if __name__ == "__main__":
    sys.exit(main())
