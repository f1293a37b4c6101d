"""Rule-set tools: check, documentation, golden cases, coverage and the pytest plugin."""
