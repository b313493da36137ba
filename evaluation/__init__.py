"""Validity (`jixiao evaluate`): how well the platform's rules, scores and models recover the simulator's
planted truth. This package is the only reader of the simulator's truth file; no pipeline stage imports it.

Each section module has ``evaluate(context) -> Section``; :data:`jixiao.evaluation.run.SECTIONS` lists them.
"""
