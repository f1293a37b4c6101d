"""Review: a case replayed date by date without hindsight, reasons judged, decision records verified and signed."""
