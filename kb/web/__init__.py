"""The HTML pages: thin views over :mod:`kb.services`."""

from __future__ import annotations

from flask import current_app

from kb.services.access import ANONYMOUS, Viewer
from kb.services.context import Kb


def kb() -> Kb:
    """The current app's services bundle."""
    return current_app.extensions["kb"]


def viewer() -> Viewer:
    """The person asking; anonymous until accounts exist."""
    return ANONYMOUS
