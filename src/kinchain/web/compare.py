"""Two visits of a patient side by side: spatiotemporal values, findings new, kept or resolved,
both visits' curves and urgencies (the API's ``/patients/{id}/compare`` and its page)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kinchain.store.models import Visit
from kinchain.web import services as sv
from kinchain.web.context import MAX_ID, ApiError, DbId, Principal, api_user, ctx, page_user
from kinchain.web.pages import error_page, render
from kinchain.web.services import visit_summary

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]


def compare(a: Visit, b: Visit) -> dict[str, Any]:
    """Visit ``a`` (earlier) against ``b``: spatiotemporal changes, findings new/resolved/kept,
    both visits' curves and urgencies."""
    if a.patient_id != b.patient_id:
        raise ApiError(422, "b", "both visits must belong to the same patient")
    for key, v in (("a", a), ("b", b)):
        if v.analysis_json is None:
            raise ApiError(409, key, "this visit has no finished analysis")
    ja = json.loads(a.analysis_json or "{}")
    jb = json.loads(b.analysis_json or "{}")
    rows = []
    st_a, st_b = ja["spatiotemporal"], jb["spatiotemporal"]
    units = st_b.get("units", {})
    for side in ("left", "right"):
        for name, va in st_a[side].items():
            vb = st_b[side].get(name)
            delta = None if va is None or vb is None else vb - va
            pct = None if delta is None or not va else 100.0 * delta / abs(va)
            rows.append(
                {
                    "side": side,
                    "parameter": name,
                    "unit": units.get(name, ""),
                    "a": va,
                    "b": vb,
                    "change": delta,
                    "change_pct": pct,
                }
            )

    def fired(j: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(f["name"], f["side"]): f for f in j["findings"] if f.get("fired")}

    fa, fb = fired(ja), fired(jb)
    findings = []
    for fkey in sorted(set(fa) | set(fb)):
        change = "kept" if fkey in fa and fkey in fb else ("new" if fkey in fb else "resolved")
        f = fb.get(fkey) or fa[fkey]
        findings.append(
            {
                "name": fkey[0],
                "side": fkey[1],
                "change": change,
                "sentence": f.get("sentence"),
                "severity_a": fa.get(fkey, {}).get("severity"),
                "severity_b": fb.get(fkey, {}).get("severity"),
            }
        )

    def urgency(v: Visit) -> str | None:
        return json.loads(v.clinical_json)["urgency"] if v.clinical_json else None

    return {
        "schema": "kinchain-compare/1",
        "a": visit_summary(a) | {"urgency": urgency(a)},
        "b": visit_summary(b) | {"urgency": urgency(b)},
        "spatiotemporal": rows,
        "findings": findings,
        "curves": {
            "a": json.loads(a.curves_json or "null"),
            "b": json.loads(b.curves_json or "null"),
        },
    }


@api_router.get("/patients/{patient_id}/compare", tags=["visits"])
def compare_api(
    patient_id: DbId,
    request: Request,
    user: ApiUser,
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="Earlier visit id")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="Later visit id")],
) -> dict[str, Any]:
    """Two visits of a patient: curves of both, spatiotemporal changes, findings new/resolved."""
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        va, vb = sv.get_visit(db, a, user), sv.get_visit(db, b, user)
        if va.patient_id != p.id:
            raise ApiError(404, "a", "no such visit of this patient")
        if vb.patient_id != p.id:
            raise ApiError(404, "b", "no such visit of this patient")
        return compare(va, vb)


@page_router.get("/patients/{patient_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    user: PageUser,
    patient_id: DbId,
    a: Annotated[int, Query()],
    b: Annotated[int, Query()],
) -> Response:
    with ctx(request).store.session() as db:
        p = sv.get_patient(db, patient_id, user)
        va, vb = sv.get_visit(db, a, user), sv.get_visit(db, b, user)
        if va.patient_id != p.id or vb.patient_id != p.id:
            raise ApiError(404, "visit", "no such visit of this patient")
        try:
            data = compare(va, vb)
        except ApiError as exc:
            return error_page(request, exc.status, exc.problem)
        info = sv.patient_dict(p)
    return render(request, "compare.html", user=user, patient=info, cmp=data)
