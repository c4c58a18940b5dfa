"""gunicorn settings for kb: ``gunicorn -c python:kb.gunicorn_conf --workers 3 …``.

Only logging is set here (kb's handler for gunicorn's own lines, JSON with
``KB_LOG_FORMAT=json``); workers, bind address and timeouts stay on the command line
(docs/deploy/kb-web.service), where an operator looks for them.
"""

from __future__ import annotations

from kb.logs import gunicorn_logconfig

logconfig_dict = gunicorn_logconfig()
