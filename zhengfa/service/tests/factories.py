from __future__ import annotations

from typing import Any

from zhengfa.org.models import Area, AreaLevel


def villages(p: Any) -> tuple[Area, Area]:
    """The persona county's township 甲镇 with two villages, served by 甲镇派出所 (unit_a)."""
    county = Area.objects.get_or_create(code="T00", defaults={"name": "测试县", "level": "county"})[
        0
    ]
    town = Area.objects.get_or_create(
        code="T01", defaults={"name": "甲镇", "level": AreaLevel.TOWNSHIP, "parent": county}
    )[0]
    one = Area.objects.get_or_create(
        code="T01-V001", defaults={"name": "东村", "level": AreaLevel.VILLAGE, "parent": town}
    )[0]
    two = Area.objects.get_or_create(
        code="T01-V002", defaults={"name": "西村", "level": AreaLevel.VILLAGE, "parent": town}
    )[0]
    p.unit_a.areas.add(town, one, two)
    return one, two
