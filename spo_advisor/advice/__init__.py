"""Advice for one case on one date: limbs and decisions, the explained assessment, what would change it."""
