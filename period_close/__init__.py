"""Month-end close (月度关账): freeze a period's published results outside the warehouse; load them as marts."""
from jixiao.period_close.close import (CloseTampered, PeriodNotScored, close_period, closes_dir, load_closes,
                                       resolve_period, scored_periods)

__all__ = ["CloseTampered", "PeriodNotScored", "close_period", "closes_dir", "load_closes", "resolve_period",
           "scored_periods"]
