"""kb — the knowledge base of the integration coordinators' network in Sachsen-Anhalt.

The application factory lives in :mod:`kb.app` (``kb.app:create_app``); it is
not imported here so that stage modules (storage, extract, search, handouts)
can be imported without pulling in Flask.
"""
