"""Every query the report site runs, in one place: the core marts and the optional slots.

The lead adjusts mart names and columns here when marts change; nothing else in ``reports/`` names a mart.
Each query reads **all** departments at once (one query per mart per site render), never one department.

Core marts (required): ``dim_department``, ``fct_dept_score``. Optional core marts (``fct_dept_tier``,
``fct_indicator_value``, ``fct_dept_score_contribution``) and every :class:`Slot` are read only when the mart
exists in the warehouse; otherwise the page says the feature is not available yet.
"""
from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "marts"

DIMENSIONS = (("mission", "使命"), ("strategy", "战略"), ("public", "公众"), ("process", "流程"), ("growth", "成长"))
"""The five balanced-scorecard dimensions in radar order: (column prefix in fct_dept_score, Chinese label)."""

DEPARTMENTS = """
    select dept_code, dept_name, dept_type, dept_type_name, level_name, region_code, region_name
    from marts.dim_department order by dept_code
"""

PERIODS = "select distinct period from marts.fct_dept_score order by period"

SCORES = """
    select * from (
        select dept_code, period, dept_type, overall_score, grade, composite_score, composite_status, overall_status,
               overall_coverage, composite_coverage, n_indicators, n_indicators_with_data, n_exempted,
               rank_in_type, n_scored_in_type, rank_in_region, n_scored_in_region,
               rank() over (partition by period order by overall_score desc nulls last) as rank_in_province,
               count(overall_score) over (partition by period) as n_scored_in_province,
               {dimension_columns}, {type_averages}
        from marts.fct_dept_score
        where period = $period
    )
""".format(
    dimension_columns=", ".join(f"{d}_score" for d, _ in DIMENSIONS),
    type_averages=", ".join(f"avg({d}_score) over (partition by dept_type, period) as type_avg_{d}"
                            for d, _ in DIMENSIONS),
)
"""Department scores of the page's period, with the same-type dimension averages (the radar's reference)."""

SCORE_HISTORY = """
    select dept_code, list(period order by period) as periods, list(overall_score order by period) as scores
    from marts.fct_dept_score
    where period <= $period
    group by dept_code
"""
"""Each department's overall score in every period up to the page's (the trend)."""

TIERS = """
    select t.dept_code, t.period, t.tier_code, t.tier, t.reason, t.overall_score, t.partner_dept_code, t.partner_score,
           p.dept_name as partner_dept_name
    from marts.fct_dept_tier t left join marts.dim_department p on p.dept_code = t.partner_dept_code
"""

AMOUNT_DENOMINATORS = ("BUDGET_EXECUTION", "SPECIAL_FUND_DISBURSEMENT", "AUDIT_RECOVERY", "AWARD_PRICE_SAVING",
                       "BIZ_STARTUP_COMPRESSION")
"""Indicators whose denominator is an amount (yuan, days), not a count of cases: they have no sample size.
Until the score marts carry a sample-size column, every other indicator's denominator is its sample size."""

INDICATORS = """
    select dept_code, indicator_code,
           max_by(indicator_name, period) as indicator_name, max_by(dimension, period) as dimension,
           max_by(unit, period) as unit, max_by(direction, period) as direction,
           max_by(target, period) as target, max_by(value, period) as value,
           max_by(case when indicator_code not in ({amounts}) then denominator end, period) as sample_size,
           list(value order by period) as history
    from marts.fct_indicator_value
    where period <= $period
    group by dept_code, indicator_code
    having max(period) = $period
    order by dept_code, indicator_code
""".format(amounts=", ".join(f"'{code}'" for code in AMOUNT_DENOMINATORS))
"""Each department's indicators in the page's period, with the value history up to it (the sparkline)."""

CONTRIBUTIONS = """
    with items as (
        select dept_code, item, coalesce(item_name, item) as item_name, kind, depth, score, weight,
               effective_weight, contribution, effective_weight * 100 - contribution as lost, status, exempted,
               exemption
        from marts.fct_dept_score_contribution
        where period = $period and tree = 'overall'
    ),
    leaves as (
        select *,
               row_number() over (partition by dept_code order by contribution desc, item) as gain_rank,
               row_number() over (partition by dept_code order by lost desc, item) as loss_rank
        from items
        where kind = 'indicator' and effective_weight > 0 and score is not null
    )
    select dept_code, item, item_name, kind, depth, score, weight, effective_weight, contribution, lost, status,
           exempted, exemption, null as gain_rank, null as loss_rank
    from items where depth = 1 or exempted
    union all
    select dept_code, item, item_name, kind, depth, score, weight, effective_weight, contribution, lost, status,
           exempted, exemption, gain_rank, case when lost > 0.05 then loss_rank end
    from leaves where gain_rank <= 5 or (loss_rank <= 5 and lost > 0.05)
"""
"""The 360 parts (depth 1), exempted items and the five indicators adding most and losing most points."""

SMALL_SAMPLE = 30
"""A rate computed from fewer cases than this is shown with its sample size and a caution."""


@dataclass(frozen=True)
class Slot:
    """A report section read from an optional mart: shown when the mart exists, "not yet available" otherwise.

    ``marts``: candidates, every present one is read (their rows concatenated — e.g. several alert marts);
    ``columns``: (column, Chinese label) shown when present (all columns when none is);
    ``periods``: ``equal`` (rows of the page's period), ``upto`` (up to it) or ``any``;
    ``order``: (column, SQL order term) pairs, used when the column exists; ``limit``: rows shown per department.
    """

    key: str
    title: str
    marts: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    periods: str = "equal"
    order: tuple[tuple[str, str], ...] = ()
    limit: int = 20
    note: str = ""


ALERT_COLUMNS = (("severity", "级别"), ("period", "期间"), ("alert_type", "类型"), ("title", "预警"),
                 ("detail", "说明"), ("case_suggestions", "案例库建议"), ("suggested_cases", "案例库建议"),
                 ("evidence", "证据"), ("raised_at", "发出时间"))

SLOTS: tuple[Slot, ...] = (
    Slot("alerts", "预警与案例建议", ("fct_alert", "fct_rule_alert", "fct_model_alert", "fct_ledger_alert"),
         ALERT_COLUMNS, periods="upto", limit=15,
         order=(("severity", "case severity when 'high' then 0 when 'medium' then 1 else 2 end"),
                ("raised_at", "raised_at desc"))),
    Slot("pdca", "整改事项（PDCA）", ("fct_pdca_item",),
         (("item_key", "编号"), ("title", "事项"), ("stage", "阶段"), ("status", "状态"), ("owner", "责任人"),
          ("deadline", "期限"), ("is_overdue", "是否逾期"), ("check_result", "检查结论")),
         periods="any", order=(("deadline", "deadline"),)),
    Slot("integrity", "廉政风险", ("fct_dept_integrity_risk",),
         (("period", "期间"), ("risk_score", "风险分"), ("risk_level", "风险等级"), ("n_tenders", "招标数"),
          ("n_flagged_tenders", "高风险招标"), ("top_features", "主要风险特征")),
         periods="upto", order=(("period", "period desc"),), limit=3),
    Slot("lagging", "滞后风险预测", ("fct_lagging_risk",),
         (("period", "预测期"), ("probability", "落入诊断档概率"), ("risk_level", "风险等级"),
          ("top_features", "主要因素")),
         periods="upto", order=(("period", "period desc"),), limit=3),
    Slot("zombie", "僵尸指标", ("fct_zombie_indicator",),
         (("indicator_name", "指标"), ("indicator_code", "编码"), ("annual_change_rate", "年变化率"),
          ("excluded_from", "移出评分自"), ("reason", "理由")), periods="upto"),
    Slot("held", "待复核数值（异常值拦截）", ("fct_review_queue", "fct_held_value"),
         (("indicator_name", "指标"), ("period", "期间"), ("value", "数值"), ("rule", "规则"),
          ("decision", "复核结论"), ("reason", "理由")), periods="upto"),
    Slot("verification", "跨源核查任务", ("fct_verification_task",),
         (("period", "期间"), ("check_type", "核查类型"), ("title", "任务"), ("self_reported", "自报值"),
          ("independent", "独立来源值"), ("status", "状态")), periods="upto"),
    Slot("benford", "本福特定律检验", ("fct_benford_test",),
         (("figure", "数据"), ("window", "窗口"), ("n", "样本量"), ("mad", "MAD"), ("conformity", "符合度"),
          ("status", "结论")), periods="upto", order=(("period", "period desc"),), limit=5),
    Slot("quarantined", "隔离记录（数据质量）", ("fct_quarantined_record",),
         (("source", "来源"), ("event_type", "事件类型"), ("reason", "原因"), ("record_count", "条数"),
          ("count", "条数"), ("first_seen", "首次"), ("last_seen", "最近")), periods="any"),
    Slot("rejected", "被拒绝的考评打分（超出权责清单）", ("fct_appraisal_rejected_score",),
         (("evaluator_type", "评价主体"), ("appraisal_dimension", "考评维度"), ("score", "分数"),
          ("rejection_reason", "理由")), periods="equal"),
    Slot("exemptions", "容错免责", ("fct_exemption_audit",),
         (("indicator_code", "指标"), ("reason", "事由"), ("approver", "批准人"), ("status_note", "状态"),
          ("contribution_removed", "移出贡献分"), ("overall_change", "综合得分变化")), periods="equal"),
    Slot("ledger", "专项资金存证台账", ("fct_ledger_verification",),
         (("fund", "资金"), ("fund_type", "资金类型"), ("entries", "条目数"), ("verified", "校验通过"),
          ("first_bad_entry", "首个异常条目"), ("kind", "异常类型"), ("checked_at", "校验时间")), periods="any"),
    Slot("voice", "群众声音摘录（12345 工单与网络舆情）", ("fct_citizen_voice",),
         (("source_name", "来源"), ("signal", "关注原因"), ("occurred_on", "日期"), ("text", "内容")),
         periods="equal", order=(("source_name", "source_name"), ("rank_in_dept", "rank_in_dept")), limit=10,
         note="内容已在入库时脱敏；仅摘录超时、未解决或低满意度工单与转发最多的帖文。"),
)
"""The department page's optional sections, in page order."""

DATA_QUALITY = ("zombie", "held", "verification", "benford", "quarantined", "rejected")
"""Slots grouped under 数据质量 on the page and counted in the province overview."""

CHECK_RESULTS = "fct_check_result"
"""Great Expectations results (province level, index overview): columns severity, success when present."""

NOT_YET = "暂无数据（该功能尚未上线）"
