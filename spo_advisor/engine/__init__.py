"""Evaluation: the case as flat facts on a date, derived fields, the three-valued evaluator and the durable_rules host (the only module that imports durable)."""
