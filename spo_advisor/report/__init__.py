"""Readable renderings: text, Markdown and HTML (templates), the overview, questions, the review report and its chart."""
