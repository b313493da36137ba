"""Topic and routing of every 12345 ticket from its text (models/text.py): the predicted category and department type."""
from jixiao.models.registry import ensure
from jixiao.models.text import ROUTING, TOPIC, routing_rows


def model(dbt, session):
    tickets = dbt.ref("stg_hotline_12345__tickets_created").df()
    departments = dbt.ref("dim_department").df()
    frames = {"stg_hotline_12345__tickets_created": tickets, "dim_department": departments}
    topic, routing = ensure(TOPIC, frames), ensure(ROUTING, frames)
    return routing_rows(topic, routing, tickets, departments)
