"""规则预警: every rule's alerts in the standard shape read by alert delivery, with the most similar cases from the
case library (jieba + TF-IDF, jixiao.expectations.cases) as suggestions."""
import json

from jixiao.expectations.cases import suggest
from jixiao.expectations.rules import load_rules


def model(dbt, session):
    dbt.config(materialized="table")
    top = int(load_rules()["alerts"]["case_suggestions"])
    alerts = dbt.ref("int_integrity__alerts").df()
    types = dbt.ref("dim_department").project("dept_type, dept_type_name").distinct().df()
    cases = dbt.ref("ref_integrity_cases").df().merge(types, on="dept_type", how="left")
    queries = (alerts["title"].fillna("") + " " + alerts["detail"].fillna("")).tolist()
    suggestions = suggest(cases, queries, top)
    alerts["case_suggestions"] = [json.dumps(found, ensure_ascii=False) for found in suggestions]
    for rank in range(top):
        alerts[f"case_{rank + 1}_id"] = [found[rank]["case_id"] if len(found) > rank else None for found in suggestions]
        alerts[f"case_{rank + 1}_title"] = [found[rank]["title"] if len(found) > rank else None for found in suggestions]
        alerts[f"case_{rank + 1}_id"] = alerts[f"case_{rank + 1}_id"].astype("string")
        alerts[f"case_{rank + 1}_title"] = alerts[f"case_{rank + 1}_title"].astype("string")
    alerts["case_suggestions"] = alerts["case_suggestions"].astype("string")
    return alerts.sort_values(["severity", "alert_type", "dept_code", "alert_key"]).reset_index(drop=True)
