"""The patient's one-page summary of a visit (issue 12 item 6): a page to show or print for the
patient, and the same as PDF and HTML through the API. Built from the visit's current gait
analysis and clinical assessment, whichever exist, by :mod:`kinchain.report.patient_summary`,
for the signed-in clinician who may see the patient."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kinchain.analysis import GaitAnalysis
from kinchain.clinical import ClinicalAssessment
from kinchain.report.patient_summary import RenderedSummary, render_patient_summary
from kinchain.web import services as sv
from kinchain.web.context import ApiError, DbId, Principal, api_user, ctx, page_user
from kinchain.web.jobs import visit_identity

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]

#: The summary's own page policy: its styles are inline, it loads nothing and runs no script.
SUMMARY_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def summary_for(
    request: Request,
    user: Principal,
    visit_id: int,
    links: tuple[tuple[str, str], ...] = (),
) -> RenderedSummary:
    """The visit's patient summary, written now for the signed-in clinician ``user``.

    Raises
    ------
    ApiError
        404 when ``user`` may not see the visit; 409 when the visit has neither a finished
        analysis nor a clinical assessment.
    """
    c = ctx(request)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        clinical = (
            ClinicalAssessment.model_validate_json(v.clinical_json) if v.clinical_json else None
        )
        intake = sv.stored_intake(v) if clinical is not None else None
        analysed = v.analysis_json is not None and v.current_upload_id is not None
        if clinical is None and not analysed:
            raise ApiError(
                409,
                "visit_id",
                "nothing to summarise yet: upload a trial or fill the intake first",
            )
        identity = visit_identity(v, user.email)
    gait: GaitAnalysis | None = c.runner.gait_for(visit_id) if analysed else None
    return render_patient_summary(
        gait=gait, clinical=clinical, intake=intake, identity=identity, links=links
    )


def _html(summary: RenderedSummary) -> HTMLResponse:
    return HTMLResponse(summary.html, headers={"Content-Security-Policy": SUMMARY_CSP})


@api_router.get(
    "/visits/{visit_id}/patient-summary.pdf",
    tags=["results"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def patient_summary_pdf(visit_id: DbId, request: Request, user: ApiUser) -> Response:
    """The patient's one-page summary in plain words (what was found, what happens next, when
    to get help at once), A4 PDF with the patient's name, date of birth and visit date."""
    summary = summary_for(request, user, visit_id)
    return Response(
        summary.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="patient-summary-visit-{visit_id}.pdf"'},
    )


@api_router.get(
    "/visits/{visit_id}/patient-summary.html", tags=["results"], response_class=HTMLResponse
)
def patient_summary_html(visit_id: DbId, request: Request, user: ApiUser) -> HTMLResponse:
    """The patient's one-page summary as one self-contained HTML file."""
    return _html(summary_for(request, user, visit_id))


@page_router.get("/visits/{visit_id}/patient-summary", response_class=HTMLResponse)
def patient_summary_page(visit_id: DbId, request: Request, user: PageUser) -> HTMLResponse:
    """The summary to show the patient or print, with a way back to the visit and the PDF."""
    links = (
        ("← Back to the visit", f"/visits/{visit_id}"),
        ("Download the PDF to print", f"/api/v1/visits/{visit_id}/patient-summary.pdf"),
    )
    return _html(summary_for(request, user, visit_id, links))
