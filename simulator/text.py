"""Realistic Chinese free text carrying personal data (names, mobiles, ID numbers, bank cards) to be masked.

Everything is drawn from the caller's generator, so text is deterministic for a seed. Identifiers are
built digit-wise with numpy: ID numbers carry a valid GB 11643 check character, bank cards pass Luhn.
"""
from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅鹏飞宇浩婷雪琳晨欣怡子轩")
PLACES = ["文三路", "解放路", "中山北路", "人民广场", "滨江大道", "新华小区", "幸福里社区", "高新园区", "火车站",
          "万达广场", "城东菜市场", "开发区管委会", "第一人民医院", "实验小学", "老城区", "江南大道"]
ISSUES = {
    "市场监管": ["超市销售过期食品", "商家虚假宣传", "餐馆卫生条件差", "预付卡商家跑路", "网购商品质量问题"],
    "医疗卫生": ["医院排队时间过长", "医疗纠纷迟迟未处理", "疫苗接种预约困难", "医生态度恶劣", "检查费用不透明"],
    "城市管理": ["夜间施工噪音扰民", "路灯损坏无人维修", "占道经营", "垃圾清运不及时", "违章搭建"],
    "劳动保障": ["单位拖欠工资", "社保转移办理慢", "未签劳动合同", "工伤认定拖延", "加班费不发放"],
    "住房建设": ["小区物业不作为", "房屋漏水", "电梯长期故障", "老旧小区改造进度慢", "开发商延期交房"],
    "教育": ["学校乱收费", "入学政策咨询", "校外培训退费难", "校车安全隐患", "食堂饭菜质量差"],
    "交通运输": ["公交线路调整不合理", "出租车拒载", "道路积水", "网约车乱收费", "停车位不足"],
    "营商环境": ["企业开办材料重复提交", "审批时限过长", "跨省通办事项办理不畅", "涉企检查过多", "惠企政策兑现慢"],
    "医疗纠纷": ["手术后出现并发症医院推诿", "误诊导致病情延误", "医疗事故鉴定迟迟未出", "住院期间护理失误"],
    "社会保障": ["低保申请被拒", "养老金发放延迟", "医保报销比例有异议", "残疾人补贴未到账"],
    "生态环境": ["工厂偷排废水", "河道发黑发臭", "餐饮油烟扰民", "工地扬尘严重"],
}
CATEGORIES = np.array(list(ISSUES))
GOOD_WORDS = ["办事效率高", "工作人员热情耐心", "一次办好，很方便", "网上办理很顺畅", "跑一次就办完了", "指引清楚"]
BAD_WORDS = ["排队太久", "材料要求反复变", "工作人员态度差", "系统经常卡顿", "来回跑了好几趟", "电话一直打不通"]
POST_POSITIVE = ["点赞{dept}，{good}！", "{dept}这次真的给力，{good}。", "为{dept}打call，{good}"]
POST_NEGATIVE = ["{dept}{issue}，到底有没有人管？", "投诉{dept}：{issue}，反映多次没有结果。",
                 "曝光！{place}{issue}，{dept}推诿扯皮。"]
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))
_AREAS = np.array([330102, 330106, 330110, 330203, 330212, 330302, 330381, 330402, 330502, 330602, 330702,
                   330782, 330802, 330902, 331002, 331102])
_CARD_BINS = np.array([622202, 622848, 621700, 622588, 621226, 623058])


_FULL_NAMES = np.array([s + g for s in SURNAMES for g in GIVEN + [a + b for a in GIVEN for b in GIVEN]])
_MOBILE_PREFIXES = np.array([135, 138, 139, 150, 158, 186, 187, 177, 199])


def names(rng: np.random.Generator, n: int) -> list[str]:
    """Chinese full names: a common surname and a one- or (more often) two-character given name."""
    per_surname = len(GIVEN) * (1 + len(GIVEN))
    surname = rng.integers(0, len(SURNAMES), n)
    given = np.where(rng.random(n) < 0.6, len(GIVEN) + rng.integers(0, len(GIVEN) ** 2, n),
                     rng.integers(0, len(GIVEN), n))
    return _FULL_NAMES[surname * per_surname + given].tolist()


def mobiles(rng: np.random.Generator, n: int) -> list[str]:
    return (rng.choice(_MOBILE_PREFIXES, n) * 10**8 + rng.integers(0, 10**8, n)).astype(str).tolist()


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) array of the decimal digits of ``values``, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype="int64")
    return (values[:, None] // powers) % 10


def id_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Valid 18-digit resident ID numbers (GB 11643 checksum) of Zhejiang residents."""
    area = rng.choice(_AREAS, n)
    birth = np.datetime64("1950-01-01") + rng.integers(0, 55 * 365, n).astype("timedelta64[D]")
    year, month, day = [birth.astype(f"datetime64[{u}]") for u in ("Y", "M", "D")]
    ymd = ((year.astype("int64") + 1970) * 10000 + (month - year.astype("datetime64[M]")).astype("int64") * 100
           + (day - month.astype("datetime64[D]")).astype("int64") + 101)
    body = (area * 10**8 + ymd) * 1000 + rng.integers(0, 1000, n)
    check = _ID_CHECK[(_digits(body, 17) @ _ID_WEIGHTS) % 11].tolist()
    return [f"{b}{c}" for b, c in zip(body.tolist(), check)]


def bank_cards(rng: np.random.Generator, n: int) -> list[str]:
    """19-digit debit card numbers of Chinese banks passing the Luhn check."""
    body = rng.choice(_CARD_BINS, n) * 10**12 + rng.integers(0, 10**12, n)
    doubled = _digits(body, 18)[:, ::-1].copy()
    doubled[:, ::2] *= 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return (body * 10 + check).astype(str).tolist()


def _pick(rng: np.random.Generator, options: list[str], n: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), n).tolist()]


def _issues(rng: np.random.Generator, categories: list[str]) -> list[str]:
    pick = rng.integers(0, 5, len(categories)).tolist()
    return [ISSUES[c][p % len(ISSUES[c])] for c, p in zip(categories, pick)]


def ticket_texts(rng: np.random.Generator, categories: list[str]) -> list[str]:
    """12345 tickets: most mention a name and phone, some an ID number, a few a bank card."""
    n = len(categories)
    who, phone = names(rng, n), mobiles(rng, n)
    place, issue = _pick(rng, PLACES, n), _issues(rng, categories)
    extra = rng.random(n)
    with_id, with_card = np.flatnonzero(extra < 0.15).tolist(), np.flatnonzero((extra >= 0.15) & (extra < 0.2)).tolist()
    texts = [f"市民{w}来电反映{p}附近{i}，希望尽快处理，联系电话{m}。" for w, p, i, m in zip(who, place, issue, phone)]
    for i, ident in zip(with_id, id_numbers(rng, len(with_id))):
        texts[i] += f"身份证号{ident}。"
    for i, card in zip(with_card, bank_cards(rng, len(with_card))):
        texts[i] += f"退款请打入银行卡{card}。"
    return texts


def petition_texts(rng: np.random.Generator, categories: list[str]) -> list[str]:
    """Petition letters: always name the petitioner with ID number and phone."""
    n = len(categories)
    who, phone, ident = names(rng, n), mobiles(rng, n), id_numbers(rng, n)
    place, issue = _pick(rng, PLACES, n), _issues(rng, categories)
    months = rng.integers(2, 25, n).tolist()
    return [f"信访人{who[i]}（身份证号{ident[i]}，电话{phone[i]}）反映：{place[i]}{issue[i]}，"
            f"已持续{months[i]}个月，多次向有关部门反映未果，请求依法处理。" for i in range(n)]


def review_comments(rng: np.random.Generator, ratings: list[int]) -> list[str]:
    """好差评 comments: praise or complaint matching the rating; some leave a phone for a call back."""
    n = len(ratings)
    good, bad = _pick(rng, GOOD_WORDS, n), _pick(rng, BAD_WORDS, n)
    who, phone = names(rng, n), mobiles(rng, n)
    callback = (rng.random(n) < 0.1).tolist()
    out = []
    for i in range(n):
        text = good[i] if ratings[i] >= 4 else ("一般" if ratings[i] == 3 else bad[i])
        if callback[i]:
            text += f"，我是{who[i]}，电话{phone[i]}"
        out.append(text)
    return out


def post_texts(rng: np.random.Generator, dept_names: list[str], negative: list[bool],
               categories: list[str]) -> list[str]:
    """Social-media posts about a department; negative ones sometimes expose a name and phone."""
    n = len(dept_names)
    pos, neg = _pick(rng, POST_POSITIVE, n), _pick(rng, POST_NEGATIVE, n)
    good, place, issue = _pick(rng, GOOD_WORDS, n), _pick(rng, PLACES, n), _issues(rng, categories)
    who, phone = names(rng, n), mobiles(rng, n)
    doxx = (rng.random(n) < 0.2).tolist()
    out = []
    for i in range(n):
        if negative[i]:
            text = neg[i].format(dept=dept_names[i], issue=issue[i], place=place[i])
            if doxx[i]:
                text += f" 经办人{who[i]}，电话{phone[i]}，大家去问问！"
        else:
            text = pos[i].format(dept=dept_names[i], good=good[i])
        out.append(text)
    return out


_FIRM_CITIES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "浙江"]
_FIRM_NAMES = list("华信达恒瑞联创博远鑫盛泰安宏源中天成卓越新锐")
_FIRM_TRADES = ["建设工程", "信息技术", "医疗器械", "环保科技", "市政工程", "物业服务", "教育科技", "交通设施",
                "水利水电", "数字科技", "园林绿化", "咨询服务"]


def companies(rng: np.random.Generator, n: int) -> list[str]:
    """Company names like 杭州华信建设工程有限公司."""
    city = rng.integers(0, len(_FIRM_CITIES), n).tolist()
    a, b = rng.integers(0, len(_FIRM_NAMES), (2, n)).tolist()
    trade = rng.integers(0, len(_FIRM_TRADES), n).tolist()
    return [f"{_FIRM_CITIES[c]}{_FIRM_NAMES[x]}{_FIRM_NAMES[y]}{_FIRM_TRADES[t]}有限公司"
            for c, x, y, t in zip(city, a, b, trade)]
