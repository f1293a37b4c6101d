"""The rule language: the case fields rules may name, conditions, rule files and their checks, labels."""
