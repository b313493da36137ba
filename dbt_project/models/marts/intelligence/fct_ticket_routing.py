"""Topic and routing of every 12345 ticket from its text: its text's predictions from
int_text__ticket_predictions_by_text joined back to the tickets."""
from jixiao.models.build import ticket_routing


def model(dbt, session):
    return ticket_routing(dbt.ref("stg_hotline_12345__tickets_created"), dbt.ref("dim_department"),
                          dbt.ref("int_text__ticket_predictions_by_text"))
