"""Routes being built this session (issue 12); filled in by the commits that follow."""

from __future__ import annotations

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
