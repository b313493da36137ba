"""Red-flag features of every awarded tender (models/procurement.py): prices, competition, concentration, rotation, network."""
from jixiao.models.build import features
from jixiao.models.procurement import tender_features


def model(dbt, session):
    dbt.config(materialized="table")
    return features(tender_features(dbt.ref("stg_procurement__tenders").df(), dbt.ref("stg_procurement__bids").df(),
                                    dbt.ref("stg_procurement__awards").df()))
