"""Files shipped inside the package, found with :mod:`importlib.resources`.

The rule sets live in the top-level ``rules/`` directory, the source people edit;
``spo_advisor/_rules`` links to it in a checkout (and an editable install), and a build
copies the files into the wheel and sdist, so the same lookup works wherever the package
is installed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_RULESET = "england_and_wales"


def shipped_rules(name: str = DEFAULT_RULESET) -> Path:
    """The directory of the rule set ``name`` shipped with the package.

    Rule sets are read as files on disk: a package imported from a zip archive has none,
    and this raises ``RuntimeError`` saying so.
    """
    directory = resources.files("spo_advisor") / "_rules" / name
    if isinstance(directory, Path):
        return directory
    raise RuntimeError("spo_advisor's rule sets cannot be read from a zipped package; "
                       "install it as files")
