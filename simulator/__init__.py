"""Source simulator: a realistic province whose 11 source systems emit events, with planted cases.

Planted truth is written to a separate ground-truth file for evaluation code only.
"""
