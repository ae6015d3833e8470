"""A small, format-neutral document model: the report's content is built once as these blocks
and rendered to HTML and to PDF, so the two say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
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
class Document:
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    footer: str
    meta: dict[str, str] = field(default_factory=dict)
