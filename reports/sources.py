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

PERIODS = "select distinct period from marts.fct_dept_score where period_type = 'month' order by period"

SCORES = """
    select * from (
        select dept_code, period, dept_type, peer_group, peer_group_name, overall_score, grade, composite_score,
               composite_status, overall_status, overall_coverage, composite_coverage, n_indicators,
               n_indicators_with_data, n_exempted, rank_in_peer_group, n_scored_in_peer_group, rank_in_region,
               n_scored_in_region,
               rank() over (partition by period order by overall_score desc nulls last) as rank_in_province,
               count(overall_score) over (partition by period) as n_scored_in_province,
               {dimension_columns}, {type_averages}
        from marts.fct_dept_score
        where period_type = 'month' and period = $period
    )
""".format(
    dimension_columns=", ".join(f"{d}_score" for d, _ in DIMENSIONS),
    type_averages=", ".join(f"avg({d}_score) over (partition by peer_group, period) as type_avg_{d}"
                            for d, _ in DIMENSIONS),
)
"""Department scores of the page's month, with the peer group's dimension averages (the radar's reference)."""

SCORE_HISTORY = """
    select dept_code, list(period order by period) as periods, list(overall_score order by period) as scores
    from marts.fct_dept_score
    where period_type = 'month' and period <= $period
    group by dept_code
"""
"""Each department's overall score in every period up to the page's (the trend)."""

TIERS = """
    select t.dept_code, t.period, t.tier_code, t.tier, t.reason, t.overall_score, t.partner_dept_code, t.partner_score,
           p.dept_name as partner_dept_name
    from marts.fct_dept_tier t left join marts.dim_department p on p.dept_code = t.partner_dept_code
    where t.period_type = 'month'
"""

INDICATORS = """
    select dept_code, indicator_code,
           max_by(indicator_name, period) as indicator_name, max_by(dimension, period) as dimension,
           max_by(unit, period) as unit, max_by(direction, period) as direction,
           max_by(target, period) as target, max_by(value, period) as value,
           max_by(sample_size, period) as sample_size,
           list(value order by period) as history
    from marts.fct_indicator_value
    where period <= $period
    group by dept_code, indicator_code
    having max(period) = $period
    order by dept_code, indicator_code
"""
"""Each department's indicators in the page's period, with the value history up to it (the sparkline)."""

CONTRIBUTIONS = """
    with names as (
        select indicator_code, indicator_name from marts.dim_indicator where is_current
    ),
    items as (
        select c.dept_code, c.item, coalesce(c.item_name, names.indicator_name, c.item) as item_name, c.kind, c.depth,
               c.score, c.weight, c.effective_weight, c.contribution,
               c.effective_weight * 100 - c.contribution as lost, c.status, c.exempted,
               c.exclusion_reason as exemption
        from marts.fct_dept_score_contribution c
        left join names on names.indicator_code = coalesce(c.indicator_code, regexp_extract(c.item, '[^:]+$'))
        where c.period_type = 'month' and c.period = $period and c.tree = 'overall'
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
           exempted, exemption, case when contribution > 0.005 then gain_rank end,
           case when lost > 0.005 then loss_rank end
    from leaves where (gain_rank <= 5 and contribution > 0.005) or (loss_rank <= 5 and lost > 0.005)
"""
"""The 360 parts (depth 1), exempted items and the five indicators adding most and losing most points."""

SMALL_SAMPLE = 30
"""A rate computed from fewer cases than this is shown with its sample size and a caution."""


@dataclass(frozen=True)
class Slot:
    """A report section read from an optional mart: shown when the mart exists, "not yet available" otherwise.

    ``marts``: names or patterns; every present match is read (rows concatenated — e.g. the alert marts);
    ``columns``: (column, Chinese label) shown when present (all columns when none is);
    ``periods``: ``equal`` (rows of the page's period), ``upto`` (up to it) or ``any``;
    ``order``: (column, SQL order term) pairs, used when the column exists; ``limit``: rows shown per department;
    ``where``: (column, SQL condition) pairs, applied when the column exists.
    """

    key: str
    title: str
    marts: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    periods: str = "equal"
    order: tuple[tuple[str, str], ...] = ()
    limit: int = 20
    note: str = ""
    where: tuple[tuple[str, str], ...] = ()


SLOTS: tuple[Slot, ...] = (
    Slot("alerts", "预警与案例建议", ("fct_*_alert",),
         (("severity", "级别"), ("period", "期间"), ("title", "预警"), ("detail", "说明"),
          ("case_suggestions", "案例库建议"), ("evidence", "证据"), ("raised_at", "发出时间")),
         periods="upto", limit=15,
         order=(("severity", "case severity when 'high' then 0 when 'medium' then 1 else 2 end"),
                ("raised_at", "raised_at desc"))),
    Slot("pdca", "整改事项（PDCA）", ("fct_rectification", "fct_pdca_item"),
         (("title", "事项"), ("owner", "责任人"), ("opened_period", "立项期"), ("deadline_date", "期限"),
          ("stage_name", "阶段"), ("check_result", "检查结论"), ("is_overdue", "是否逾期"),
          ("months_overdue", "逾期月数")),
         periods="any", order=(("is_closed", "is_closed"), ("is_overdue", "is_overdue desc"),
                               ("deadline_date", "deadline_date"))),
    Slot("integrity", "廉政风险（招投标）", ("fct_dept_integrity_risk",),
         (("risk_level", "风险等级"), ("dept_risk_score", "风险分"), ("risk_rank", "全省排名"), ("n_tenders", "招标数"),
          ("n_flagged", "高风险招标"), ("flagged_share", "高风险占比"), ("main_flag_reason", "主要风险特征"),
          ("last_flagged_period", "最近高风险期")), periods="any"),
    Slot("lagging", "滞后风险预测（下期落入末位的概率）", ("fct_dept_lagging_risk", "fct_lagging_risk"),
         (("period", "预测依据期"), ("predicted_period", "预测期"), ("lagging_probability", "概率"),
          ("bottom_months_3", "近三期末位次数")), periods="equal"),
    Slot("opinion", "舆情与诉求情绪", ("fct_dept_opinion_monthly",),
         (("posts", "帖文数"), ("negative_post_rate", "负面帖文占比"), ("tickets", "12345 工单"),
          ("negative_ticket_rate", "负面工单占比"), ("review_comments", "好差评留言"),
          ("negative_comment_rate", "负面留言占比")), periods="equal"),
    Slot("zombie", "僵尸指标", ("fct_zombie_indicator",),
         (("indicator_name", "指标"), ("change_rate", "年变化率"), ("threshold", "阈值"),
          ("first_flagged_period", "首次标记"), ("excluded_from", "移出评分自"), ("status", "状态"),
          ("review_status", "复核")), periods="any"),
    Slot("held", "待复核数值（异常值拦截）", ("fct_held_value",),
         (("indicator_name", "指标"), ("period", "期间"), ("value", "数值"), ("responses", "样本量"),
          ("bound_name", "规则"), ("status_name", "状态"), ("decision_reason", "复核意见")), periods="upto",
         order=(("period", "period desc"),), where=(("outlier_status", "outlier_status <> 'low_sample'"),),
         note="只列被拦截的数值；样本不足的比率不作异常值处理（见上方样本较少的指标）。"),
    Slot("verification", "跨源核查任务", ("fct_verification_task",),
         (("check_name", "核查"), ("indicator_code", "指标"), ("opened_period", "立项期"),
          ("reported_figure", "自报值"), ("independent_figure", "独立来源值"), ("review_status", "状态")),
         periods="any"),
    Slot("benford", "本福特定律检验", ("fct_benford_test",),
         (("test_name", "检验"), ("window_start", "窗口起"), ("window_end", "窗口止"), ("n_amounts", "样本量"),
          ("min_sample", "最低样本"), ("mad", "MAD"), ("conformity_name", "符合度"), ("is_flagged", "是否预警")),
         periods="any"),
    Slot("quarantined", "隔离记录（数据质量）", ("fct_quarantined_record",),
         (("source", "来源"), ("event_type", "事件类型"), ("reason_name", "原因"), ("copies", "条数"),
          ("first_seen_at", "首次"), ("last_seen_at", "最近")), periods="any"),
    Slot("rejected", "被拒绝的考评打分（超出权责清单）", ("fct_appraisal_rejected_score",),
         (("evaluator_type", "评价主体"), ("appraisal_dimension", "考评维度"), ("score", "分数"),
          ("rejection_reason", "理由")), periods="equal"),
    Slot("exemptions", "容错免责", ("fct_exemption_audit",),
         (("indicator_code", "指标"), ("reason", "事由"), ("approver", "批准人"), ("status_note", "状态"),
          ("contribution_removed", "移出贡献分"), ("overall_change", "综合得分变化")), periods="equal"),
    Slot("ledger", "专项资金存证台账", ("fct_ledger_verification",),
         (("fund_name", "资金"), ("entries", "条目数"), ("verified_entries", "校验通过"),
          ("verification_status", "校验结果"), ("tamper_kind_name", "异常类型"),
          ("first_bad_disbursement_id", "首个异常拨付"), ("checked_at_local", "校验时间")), periods="any"),
    Slot("voice", "群众声音摘录（12345 工单与网络舆情）", ("fct_citizen_voice",),
         (("source_name", "来源"), ("signal", "关注原因"), ("occurred_on", "日期"), ("text", "内容")),
         periods="equal", order=(("source_name", "source_name"), ("rank_in_dept", "rank_in_dept")), limit=10,
         note="内容已在入库时脱敏；仅摘录超时、未解决或低满意度工单与转发最多的帖文。"),
)
"""The department page's optional sections, in page order. ``marts`` may hold a pattern: ``fct_*_alert`` is
every alert mart (the standard alert columns plus their own, e.g. case suggestions), not the collected
``fct_alert``."""

DATA_QUALITY = ("zombie", "held", "verification", "benford", "quarantined", "rejected")
"""Slots grouped under 数据质量 on the page and counted in the province overview."""

CHECK_RESULTS = "fct_check_result"
"""Great Expectations results (province level, index overview): columns severity, success when present."""

NOT_YET = "暂无数据（该功能尚未上线）"
