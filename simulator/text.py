"""Realistic Chinese free text carrying personal data (names, mobiles, ID numbers) to be masked downstream."""
from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英")
PLACES = ["文三路", "解放路", "中山北路", "人民广场", "滨江大道", "新华小区", "幸福里社区", "高新园区"]
ISSUES = {
    "市场监管": ["超市销售过期食品", "商家虚假宣传", "餐馆卫生条件差"],
    "医疗卫生": ["医院排队时间过长", "医疗纠纷迟迟未处理", "疫苗接种预约困难"],
    "城市管理": ["夜间施工噪音扰民", "路灯损坏无人维修", "占道经营"],
    "劳动保障": ["单位拖欠工资", "社保转移办理慢", "未签劳动合同"],
    "住房建设": ["小区物业不作为", "房屋漏水", "电梯长期故障"],
    "教育": ["学校乱收费", "入学政策咨询", "校外培训退费难"],
    "交通运输": ["公交线路调整不合理", "出租车拒载", "道路积水"],
    "营商环境": ["企业开办材料重复提交", "审批时限过长", "跨省通办事项办理不畅"],
}
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = "10X98765432"


def names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.integers(0, len(SURNAMES), n)
    g = rng.integers(0, len(GIVEN), (n, 2))
    two = rng.random(n) < 0.6
    return [SURNAMES[s[i]] + GIVEN[g[i, 0]] + (GIVEN[g[i, 1]] if two[i] else "") for i in range(n)]


def mobiles(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.choice(np.array(["135", "138", "139", "150", "158", "186", "187", "177", "199"]), n)
    rest = rng.integers(0, 10**8, n)
    return [f"{p}{r:08d}" for p, r in zip(prefix.tolist(), rest.tolist())]


def id_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Valid 18-digit resident ID numbers (GB 11643 checksum) of Zhejiang residents."""
    area = rng.choice(np.array([330102, 330106, 330110, 330203, 330302, 330381]), n)
    birth = np.datetime64("1950-01-01") + rng.integers(0, 55 * 365, n).astype("timedelta64[D]")
    dates = np.datetime_as_string(birth, unit="D")
    seq = rng.integers(0, 1000, n)
    out = []
    for a, d, s in zip(area.tolist(), dates.tolist(), seq.tolist()):
        body = f"{a}{d.replace('-', '')}{s:03d}"
        check = _ID_CHECK[int(np.dot(_ID_WEIGHTS, [int(c) for c in body])) % 11]
        out.append(body + check)
    return out


def personal_text(rng: np.random.Generator, categories: list[str], n: int) -> list[str]:
    """Citizen complaints in Chinese; most mention a name and phone, some an ID number."""
    who, phone, ident = names(rng, n), mobiles(rng, n), id_numbers(rng, n)
    place = rng.integers(0, len(PLACES), n)
    pick = rng.integers(0, 3, n)
    with_id = rng.random(n) < 0.15
    texts = []
    for i in range(n):
        issue = ISSUES.get(categories[i], ISSUES["城市管理"])[pick[i]]
        text = f"市民{who[i]}来电反映{PLACES[place[i]]}附近{issue}，希望尽快处理，联系电话{phone[i]}。"
        if with_id[i]:
            text += f"身份证号{ident[i]}。"
        texts.append(text)
    return texts
