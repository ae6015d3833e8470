"""A small, format-neutral document model: the report's content is built once as these blocks
and rendered to HTML and to PDF, so the two say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

#: A table cell: plain text, or (text, style) with style one of the renderers' cell styles:
#: ``"bad"`` (fired/abnormal), ``"warn"``, ``"ok"``, ``"muted"``, ``"strong"``.
Cell = str | tuple[str, str]

Tone = Literal["info", "caveat", "muted", "ok", "warn", "bad"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: str
    tone: Tone | Literal[""] = ""
    bold_lead: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class KeyValues:
    """A compact two-column list of facts."""

    pairs: tuple[tuple[str, str], ...]
    columns: int = 1  # pairs per row


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths (PDF); empty = equal
    caption: str = ""
    small: bool = False


@dataclass(frozen=True)
class Figure:
    name: str  # key into the rendered figures
    caption: str = ""


@dataclass(frozen=True)
class Banner:
    """A prominent coloured box (urgency)."""

    title: str
    text: str
    level: str  # urgency value: emergency, same_day, soon, routine, self_care
    detail: str = ""  # a smaller second paragraph (facts after the decision)


@dataclass(frozen=True)
class Details:
    """Content that the HTML shows folded (summary line visible) and the PDF prints in full."""

    summary: str
    blocks: tuple[Block, ...]


Block = Heading | Para | Bullets | KeyValues | Table | Figure | Banner | Details


@dataclass(frozen=True)
class Identity:
    """Who and which visit a report is about, shown on every page (HTML header, PDF header of
    each page). Every field is optional; the report shows those given.

    Attributes
    ----------
    patient_name
        The patient's name as written.
    birth_date
        Date of birth.
    identifier
        The clinic's identifier (record number).
    visit_date
        Date of the visit.
    visit_label
        The visit's label (e.g. "baseline walk").
    clinician
        The responsible clinician (name or e-mail).
    age_years
        The patient's age in years when the birth date is not given (the birth date wins).
    sex
        ``"female"``, ``"male"`` or ``"other"`` (the intake's values), for the age- and
        sex-matched normal values when no intake says it.
    """

    patient_name: str | None = None
    birth_date: date | None = None
    identifier: str | None = None
    visit_date: date | None = None
    visit_label: str | None = None
    clinician: str | None = None
    age_years: float | None = None
    sex: str | None = None

    def age_on(self, day: date) -> float | None:
        """Age in completed years on ``day`` (the visit date, usually) from the birth date,
        else :attr:`age_years`; None when neither is known or the birth date is after ``day``."""
        if self.birth_date is None:
            return self.age_years
        b = self.birth_date
        years = day.year - b.year - ((day.month, day.day) < (b.month, b.day))
        return float(years) if years >= 0 else None

    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)

    def patient_line(self) -> str:
        """``Name · born YYYY-MM-DD · ID`` (what is given)."""
        parts = [self.patient_name or ""]
        if self.birth_date is not None:
            parts.append(f"born {self.birth_date.isoformat()}")
        elif self.age_years is not None:
            parts.append(f"age {self.age_years:g}")
        if self.identifier:
            parts.append(f"ID {self.identifier}")
        return " · ".join(p for p in parts if p)

    def visit_line(self) -> str:
        """``visit YYYY-MM-DD label · clinician`` (what is given)."""
        visit = " ".join(
            p
            for p in (
                f"visit {self.visit_date.isoformat()}" if self.visit_date else "",
                self.visit_label or "",
            )
            if p
        )
        clinician = f"clinician {self.clinician}" if self.clinician else ""
        return " · ".join(p for p in (visit, clinician) if p)

    def line(self) -> str:
        """Everything given, on one line."""
        return " · ".join(p for p in (self.patient_line(), self.visit_line()) if p)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    footer: str
    meta: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
