"""Topic and routing of every 12345 ticket from its text (models/text.py): the predicted category and department type."""
from jixiao.models.build import ticket_routing


def model(dbt, session):
    return ticket_routing(session, dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("dim_department"))
