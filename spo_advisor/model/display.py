"""Readable renderings of the outputs, looked up by type.

The output models (the contract) sit below the renderers, which need them; so the models
do not import the renderers. Instead each renderer registers itself here for its type, and
the models' ``explain()``, ``to_markdown()``, ``to_html()`` and ``_repr_html_()`` look it
up. Importing :mod:`spo_advisor` registers every renderer, and it runs before any of its
submodules is imported, so the lookup always finds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Format = Literal["text", "markdown", "html"]
Renderer = Callable[[Any], str]

_RENDERERS: dict[tuple[type, Format], Renderer] = {}


def register(kind: type, *, text: Renderer, markdown: Renderer, html: Renderer) -> None:
    """Register the renderers of ``kind`` (and of its subclasses)."""
    _RENDERERS.update({(kind, "text"): text, (kind, "markdown"): markdown,
                       (kind, "html"): html})


def render(item: object, form: Format) -> str:
    """``item`` rendered as ``form`` by the renderer registered for its type."""
    for kind in type(item).__mro__:
        renderer = _RENDERERS.get((kind, form))
        if renderer is not None:
            return renderer(item)
    raise LookupError(f"no {form} renderer is registered for {type(item).__name__}")


class Displayable:
    """Readable renderings for an output, from the renderers registered for its type."""

    def explain(self) -> str:
        """Plain text for a terminal or a case note."""
        return render(self, "text")

    def to_markdown(self) -> str:
        """Markdown."""
        return render(self, "markdown")

    def to_html(self) -> str:
        """A self-contained HTML fragment (no external assets)."""
        return render(self, "html")

    def _repr_html_(self) -> str:
        return self.to_html()
