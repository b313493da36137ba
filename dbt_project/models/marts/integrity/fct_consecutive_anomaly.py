"""连续异常: runs of consecutive months outside the control limits (own history and peers), one row per run
that reached the configured length (jixiao.expectations.control_chart)."""
from jixiao.expectations.control_chart import find_runs
from jixiao.expectations.rules import load_rules


def model(dbt, session):
    dbt.config(materialized="table")
    config = load_rules()["consecutive_anomaly"]
    excluded = ", ".join(f"'{code}'" for code in config["exclude_indicators"]) or "''"
    values = dbt.ref("int_integrity__value_checks").filter(
        f"is_accepted and (denominator is null or denominator >= {int(config['min_responses'])})"
        f" and indicator_code not in ({excluded})"
    ).project("dept_code, indicator_code, period_month, value").df()
    departments = dbt.ref("dim_department").project("dept_code, dept_type").df()
    runs = find_runs(values.merge(departments, on="dept_code"), config)
    runs["run_key"] = "consecutive:" + runs["dept_code"] + ":" + runs["indicator_code"] + ":" + runs["run_start"]
    return runs
