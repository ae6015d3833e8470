"""parse_intake bounds its input before reading it: size, nesting depth, number of values and
list lengths, with an InputError naming ``intake`` and the limit (never a RecursionError)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kinchain.clinical.intake import (
    MAX_GAIT_FINDINGS,
    MAX_INTAKE_BYTES,
    MAX_INTAKE_DEPTH,
    MAX_INTAKE_VALUES,
    MAX_SITES,
    parse_intake,
)
from kinchain.errors import InputError

BASE: dict[str, Any] = {"pain": {"sites": ["knee"]}}


def _refused(data: Any, *words: str) -> InputError:
    with pytest.raises(InputError) as exc:
        parse_intake(data)
    assert exc.value.source == "intake", str(exc.value)
    for word in words:
        assert word in exc.value.problem, exc.value.problem
    return exc.value


@pytest.mark.parametrize("opener", ["[", '{"a":', '{"pain": {"sites": ['])
def test_very_deep_text_is_refused_before_parsing(opener: str) -> None:
    text = opener * (100_000 // len(opener))  # 100 kB: within the size limit
    assert len(text) < MAX_INTAKE_BYTES
    _refused(text, "deeper", str(MAX_INTAKE_DEPTH))


def test_very_deep_bytes_are_refused() -> None:
    _refused(b"[" * 100_000, "deeper", str(MAX_INTAKE_DEPTH))


def test_depth_limit_is_exact() -> None:
    def nested(levels: int) -> str:  # ``levels`` objects, the top one included
        inner = "1"
        for _ in range(levels - 1):
            inner = '{"x": ' + inner + "}"
        return '{"pain": {"sites": ["knee"]}, "extra": ' + inner + "}"

    with pytest.raises(InputError) as exc:  # within the limit: refused by the schema instead
        parse_intake(nested(MAX_INTAKE_DEPTH))
    assert exc.value.source == "extra"
    _refused(nested(MAX_INTAKE_DEPTH + 1), "deeper")


def test_brackets_inside_strings_do_not_count() -> None:
    finding = {"name": "stiff_knee", "side": "left", "fired": True, "summary": '[[[[{{{{\\"[[[['}
    text = json.dumps({**BASE, "gait_findings": [finding] * 3})
    assert text.count("[") > MAX_INTAKE_DEPTH * 3
    i = parse_intake(text)
    assert i.gait_findings is not None and i.gait_findings[0].summary.startswith("[[[[")


def test_very_deep_mapping_is_refused_without_recursion() -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(100_000):
        cur["a"] = {}
        cur = cur["a"]
    _refused({**BASE, "extra": deep}, "deeper", str(MAX_INTAKE_DEPTH))
    lists: list[Any] = []
    cur_list = lists
    for _ in range(100_000):
        cur_list.append([])
        cur_list = cur_list[0]
    _refused({**BASE, "extra": lists}, "deeper")


def test_a_cyclic_mapping_is_refused() -> None:
    data: dict[str, Any] = {"pain": {"sites": ["knee"]}}
    data["signs"] = data
    _refused(data, "deeper")


@pytest.mark.parametrize("as_bytes", [False, True])
def test_oversize_text_is_refused(as_bytes: bool) -> None:
    filler = " " * MAX_INTAKE_BYTES
    text = '{"pain": {"sites": ["knee"]}}' + filler
    _refused(text.encode() if as_bytes else text, "256 KiB")
    # just within the limit: read
    fits = '{"pain": {"sites": ["knee"]}}'
    fits += " " * (MAX_INTAKE_BYTES - len(fits))
    assert parse_intake(fits.encode() if as_bytes else fits).pain.sites == ["knee"]


def test_size_is_counted_in_utf8_bytes() -> None:
    summary = "é" * (MAX_INTAKE_BYTES // 2)  # 2 bytes each in UTF-8
    finding = {"name": "stiff_knee", "side": "left", "fired": True, "summary": summary}
    text = json.dumps({**BASE, "gait_findings": [finding]}, ensure_ascii=False)
    assert len(text) < MAX_INTAKE_BYTES < len(text.encode())
    _refused(text, "256 KiB")


def test_too_many_values_are_refused() -> None:
    _refused({**BASE, "extra": list(range(MAX_INTAKE_VALUES + 1))}, str(MAX_INTAKE_VALUES))
    _refused(json.dumps({**BASE, "extra": [0] * (MAX_INTAKE_VALUES + 1)}), "values")


def test_list_lengths_are_bounded() -> None:
    with pytest.raises(InputError) as exc:
        parse_intake({"pain": {"sites": ["knee"] * (MAX_SITES + 1)}})
    assert exc.value.source == "pain.sites" and str(MAX_SITES) in exc.value.problem
    finding = {"name": "stiff_knee", "side": "left", "fired": False}
    with pytest.raises(InputError) as exc:
        parse_intake({**BASE, "gait_findings": [finding] * (MAX_GAIT_FINDINGS + 1)})
    assert exc.value.source == "gait_findings" and str(MAX_GAIT_FINDINGS) in exc.value.problem
    with pytest.raises(InputError) as exc:
        parse_intake({**BASE, "gait_findings": [{**finding, "summary": "x" * 1001}]})
    assert exc.value.source == "gait_findings.0.summary"
    assert parse_intake({**BASE, "gait_findings": [finding] * MAX_GAIT_FINDINGS})


@pytest.mark.parametrize(
    "text",
    [
        '{"pain": {"sites": ["knee"]}, "signs": {"temperature_c": Infinity}}',
        '{"pain": {"sites": ["knee"]}, "signs": {"small_joints_involved": ' + "9" * 5000 + "}}",
        b'{"pain": {"sites": ["knee"]}, "x": "\xff"}',
        "\ufeff{}",
    ],
)
def test_bad_json_text_is_an_input_error(text: str | bytes) -> None:
    _refused(text, "not valid JSON")


def test_utf16_and_bom_bytes_are_read() -> None:
    text = json.dumps(BASE)
    assert parse_intake(text.encode("utf-16")).pain.sites == ["knee"]
    assert parse_intake(b"\xef\xbb\xbf" + text.encode()).pain.sites == ["knee"]
