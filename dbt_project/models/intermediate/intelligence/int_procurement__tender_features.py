"""Red-flag features of every awarded tender (models/procurement.py): prices, competition, concentration, rotation, network."""
from jixiao.models.procurement import tender_features


def model(dbt, session):
    dbt.config(materialized="table")
    return tender_features(dbt.ref("stg_procurement__tenders").df(), dbt.ref("stg_procurement__bids").df(),
                           dbt.ref("stg_procurement__awards").df())
