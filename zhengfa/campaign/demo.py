"""The demo campaign: the 2021 first batch of the education and rectification, three phases."""

from __future__ import annotations

import datetime as dt

from zhengfa.org.models import Unit

from .models import Campaign
from .services import campaign_create

NAME = "2021年康保县政法队伍教育整顿(第一批)"


def build(password: str) -> dict[str, int]:
    if Campaign.objects.filter(name=NAME).exists():
        return {"campaigns": 0}
    campaign_create(
        name=NAME,
        unit=Unit.objects.get(code="ZFW"),
        description="筑牢政治忠诚、清除害群之马、整治顽瘴痼疾、弘扬英模精神。",
        phases=[
            ("study", "学习教育", dt.date(2021, 2, 27), dt.date(2021, 3, 31)),
            ("rectify", "查纠整改", dt.date(2021, 4, 1), dt.date(2021, 6, 15)),
            ("consolidate", "总结提升", dt.date(2021, 6, 16), dt.date(2021, 6, 30)),
        ],
    )
    return {"campaigns": 1}
