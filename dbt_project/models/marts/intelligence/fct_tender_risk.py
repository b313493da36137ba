"""Integrity risk of every awarded tender (models/integrity.py): detector, supervised score, flag and top features.

The model is the current `integrity` artefact ($JX_HOME/models/integrity/); on first use it is trained here
from the same features and the audit-confirmed tenders. `jixiao train` retrains it.
"""
from jixiao.models.build import tender_risk


def model(dbt, session):
    return tender_risk(dbt.ref("int_procurement__tender_features").df(), dbt.ref("int_audit__confirmed_tenders").df())
