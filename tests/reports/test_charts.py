"""Inline SVG charts: geometry and escaping."""
from __future__ import annotations

import re

from jixiao.reports.charts import bars, radar, sparkline


def points(svg: str, css: str) -> list[tuple[float, float]]:
    raw = re.search(rf'<polygon class="{css}" points="([^"]+)"', svg).group(1)
    return [tuple(map(float, p.split(","))) for p in raw.split()]


def test_radar_puts_each_score_on_its_axis_at_its_distance_from_the_centre():
    svg = radar(["使命", "战略", "公众", "流程", "成长"], [100, 50, 0, None, 100], [80] * 5, size=320)
    subject = points(svg, "subject")
    centre, radius = 160, 160 - 56
    assert subject[0] == (centre, centre - radius)  # 100 on the first axis: straight up, full radius
    assert abs(((subject[1][0] - centre) ** 2 + (subject[1][1] - centre) ** 2) ** 0.5 - radius / 2) < 0.2
    assert subject[2] == (centre, centre) and subject[3] == (centre, centre)  # 0 and missing at the centre
    assert "无数据" in svg and len(points(svg, "reference")) == 5


def test_radar_and_bars_escape_their_labels():
    svg = radar(["<script>x</script>", "b", "c"], [1, 2, 3], [1, 2, 3], reference_label="<i>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;i&gt;" in svg
    assert "<img" not in bars([("<img src=x>", 3)]) and "&lt;img" in bars([("<img src=x>", 3)])


def test_sparkline_breaks_the_line_where_a_period_has_no_value():
    svg = sparkline([1.0, 2.0, None, 3.0, 4.0], target=2.5, status="met")
    assert svg.count("<polyline") == 2 and 'class="target"' in svg and 'class="st-met"' in svg
    assert "无数据" in sparkline([None, None])
