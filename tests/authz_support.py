"""The accounts and items the authorisation matrix tests share (``test_authz_*.py``).

The expected codes in those tests are written from the rules as the issue states
them, independently of :mod:`kb.services.access`: :func:`may_view` is that rule
restated, not imported.
"""

from __future__ import annotations

import io
import itertools

from conftest import login

from kb.models import Item
from kb.services import jobs
from kb.services.access import Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files

ROLES = ["anon", "leser", "autor_own", "autor_other", "redaktion", "admin"]
STATES = ["draft", "review", "published", "archived"]
ACCESS = ["public", "internal"]


def may_view(role: str, state: str, access: str) -> bool:
    if role in ("redaktion", "admin", "autor_own"):
        return True
    if state in ("draft", "review"):
        return False
    return access == "public" or role != "anon"


def make_world(app, kb, add_user, set_item):
    """Accounts for every role and one item per (state, access), owned by ``autor_own``.

    :return: (role -> signed-in test client, (state, access) -> item id)
    """
    ids = {role: add_user(role, role.split("_")[0]) for role in ROLES if role != "anon"}
    owner = Viewer(ids["autor_own"], ("autor",))
    items = {}
    for state, access in itertools.product(STATES, ACCESS):
        text = f"Matrixwort {state} {access}".encode()
        upload = UploadFile(f"{state}-{access}.txt", io.BytesIO(text))
        outcome = upload_files(kb, [upload], ItemMeta(title=f"{state} {access}"), owner)[0]
        items[(state, access)] = outcome.item_id
    jobs.run_until_idle(kb)
    for (state, access), item_id in items.items():
        set_item(item_id, state=state, access=access)
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anon":
            assert login(clients[role], role).status_code == 302
    return clients, items


def first_file_id(kb, item_id: int) -> int:
    with kb.db.reading() as session:
        return session.get(Item, item_id).files[0].id


def status(client, method: str, path: str, **kw) -> int:
    """The status code of one request, the response closed (warnings are errors)."""
    with client.open(path, method=method, **kw) as response:
        return response.status_code
