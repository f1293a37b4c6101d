"""Force scrutiny: a caseload replayed case by case without hindsight, and the figures a
commissioner or an inspectorate reads, merged exactly from partial aggregates."""
