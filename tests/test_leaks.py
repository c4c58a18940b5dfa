"""The leak test: unique words in a draft and an internal item never reach a weaker role.

Each word stands in its item's title, summary, organisation, file name and
file text. Every surface that exists is asked as every weaker role, and the
word must not appear in any response byte. Where the query itself is echoed,
the response must equal, byte for byte, the response to a word that exists
nowhere. Surfaces still to come must be added here when they are built.
A third word stands in a deck shared only with the participants of its
(public) event: a participant may read it, a member outside the group may not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pypdf
import pytest
from conftest import login
from sqlalchemy import select

from kb.models import Event
from kb.services import accounts, jobs
from kb.services.access import SYSTEM, Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files

DRAFT_WORD = "zyxquorrel"
INTERNAL_WORD = "plimbaxter"
PARTICIPANT_WORD = "gnarfelbop"  # a deck "only for participants of this event"
CONTROL = "qqvwmtplkx"  # in no document
COMMON = "Fördermittelabruf Verwendungsnachweis Zwischenbericht Belegliste"
#: role -> the words it must never see (members may read the internal item).
HIDDEN = {
    "anon": (DRAFT_WORD, INTERNAL_WORD, PARTICIPANT_WORD),
    "leser": (DRAFT_WORD, PARTICIPANT_WORD),
    "autor_other": (DRAFT_WORD, PARTICIPANT_WORD),
    "participant": (DRAFT_WORD,),  # a Leser in the event's participant group
}
#: word -> the key of the item it stands in (any other word: "internal").
WORD_ITEM = {DRAFT_WORD: "draft", PARTICIPANT_WORD: "participants"}


@pytest.fixture
def world(app, kb, add_user, set_item):
    roles = {"leser": "leser", "autor_own": "autor", "autor_other": "autor", "red": "redaktion",
             "participant": "leser"}  # fmt: skip
    ids = {name: add_user(name, role) for name, role in roles.items()}
    owner = Viewer(ids["autor_own"], ("autor",))

    def make(word: str, kind: str) -> int:
        meta = ItemMeta(
            title=f"{word} {kind}",
            summary=f"Über {word}",
            organisation=f"Orga {word}" if word else "",
            districts=["15002"],
            topics=["Beratung"],
            tags=[f"Tag {word}"] if word else [],
        )
        text = f"{COMMON} {word}".encode()
        return upload_files(kb, [UploadFile(f"{word or 'x'}-{kind}.txt", io.BytesIO(text))], meta,
                            owner)[0].item_id  # fmt: skip

    items = {"draft": make(DRAFT_WORD, "Entwurf"), "internal": make(INTERNAL_WORD, "intern")}
    items["public"] = make("", "Leitfaden")
    items["participants"] = make(PARTICIPANT_WORD, "Teilnehmende")
    jobs.run_until_idle(kb)
    set_item(items["internal"], state="published", access="internal")
    set_item(items["public"], state="published", access="public")
    _event_with(kb, items, set_item)
    # Public and published, yet only for the participants of its event.
    set_item(items["participants"], state="published", access="public", participants_only=True)
    accounts.set_event_groups(kb, "participant", [EVENT_SLUG], SYSTEM)
    _guidance_world(kb, items, set_item)
    clients = {"anon": app.test_client()}
    for role in ("leser", "autor_other", "red", "participant"):
        clients[role] = app.test_client()
        login(clients[role], role)
        clients[role].get("/")  # consume the welcome message
    return clients, items


EVENT_SLUG = "werkstatt-2025"


def _event_with(kb, items: dict[str, int], set_item) -> None:
    """A public event holding all three items; its programme links the internal one."""
    from kb.services import agenda, events
    from kb.services.access import SYSTEM

    data = events.EventData("Werkstatt", dt.date(2025, 3, 14))
    assert events.create_event(kb, data, SYSTEM) == EVENT_SLUG
    with kb.db.reading() as session:
        event_id = session.scalar(select(Event.id).where(Event.slug == EVENT_SLUG))
    for item_id in items.values():
        set_item(item_id, event_id=event_id)
    rows = [agenda.AgendaData("10:00", "", "Vortrag", "", items["internal"])]
    agenda.set_agenda(kb, EVENT_SLUG, rows, SYSTEM)


def _guidance_world(kb, items, set_item):
    """The words also on guidance surfaces: successor banner, deadlines, FAQ, events, feeds.

    The internal item supersedes the public one (its title must not appear in the public
    item's banner), the draft supersedes the internal one; both have deadlines and start
    soon; Q&A entries link the public item to the hidden ones; an internal event has a
    deadline.
    """
    from kb.models import Deadline, Event
    from kb.services import qa
    from kb.services.access import SYSTEM
    from kb.services.deadlines import DeadlineInput, set_deadlines

    soon = kb.today() + __import__("datetime").timedelta(days=10)
    for key in ("public", "internal", "draft"):
        set_item(items[key], kind="leitfaden")
    set_item(items["internal"], supersedes_id=items["public"], valid_from=soon)
    set_item(items["draft"], supersedes_id=items["internal"], valid_from=soon)
    for key, word in (("internal", INTERNAL_WORD), ("draft", DRAFT_WORD)):
        set_deadlines(kb, items[key], [DeadlineInput(f"Frist {word}", soon, word)], SYSTEM)
    with kb.db.writing() as session:
        event = Event(
            slug="netzwerk-intern",
            title=f"Runde {INTERNAL_WORD}",
            access="internal",
            starts_on=soon,
            city=INTERNAL_WORD,
        )
        session.add(event)
        session.flush()
        session.add(Deadline(event_id=event.id, due_on=soon, title=f"Anmeldung {INTERNAL_WORD}"))
    both = [items["public"], items["draft"]]
    qa.create(
        kb,
        qa.QAData(f"Frage {INTERNAL_WORD}?", access="internal", guidance_ids=[items["public"]]),
        SYSTEM,
    )
    qa.create(kb, qa.QAData("Öffentliche Frage?", access="public", guidance_ids=both), SYSTEM)


def _file_ids(kb, item_id):
    from kb.models import Item

    with kb.db.reading() as session:
        return [f.id for f in session.get(Item, item_id).files]


def _surfaces(word: str, items: dict[str, int], kb) -> list[tuple[str, str]]:
    """(method, path) of every surface that could reveal ``word`` without echoing it."""
    paths = [
        f"/search?q={word[:5]}*",
        f"/search?q={word[:-2]}",  # a typo: "Meinten Sie …" must stay silent
        "/search?q=Verwendungsnachweis",
        f"/search/complete?q={word[:4]}",
        f"/items/{items['public']}",  # related items
        "/",
        "/upload/status?ids=" + ",".join(str(i) for i in range(1, 10)),
        "/districts",
        "/districts/15002",
        "/topics",
        "/topics/beratung",
        "/organisations",
    ]
    paths += [
        "/guidance",
        "/deadlines",
        "/calendar.ics",
        f"/items/{items['internal']}",
        f"/items/{items['internal']}/changes",
        f"/items/{items['draft']}/changes",
        # The API (session of the same client; tokens build the same viewer).
        "/api/v1/items?per_page=100",
        f"/api/v1/search?q={word[:5]}*",
        "/api/v1/search?q=Verwendungsnachweis",
        "/api/v1/jobs?" + "&".join(f"file={i}" for i in range(1, 10)),
        f"/api/v1/items/{items['public']}/handout.pdf",
    ]
    own = items[WORD_ITEM.get(word, "internal")]
    paths += [f"/items/{own}", f"/items/{own}/edit"]
    paths += [f"/items/{own}/files/{f}" for f in _file_ids(kb, own)]
    paths += [f"/items/{own}/versions/{f}/diff/{f}" for f in _file_ids(kb, own)]
    paths += [f"/api/v1/items/{own}", f"/api/v1/items/{own}/versions"]
    paths += [f"/api/v1/items/{own}/handout.pdf", f"/items/{own}/delete"]
    paths += [f"/api/v1/items/{own}/versions/{f}/file" for f in _file_ids(kb, own)]
    return (
        [("GET", p) for p in paths]
        + [("DELETE", f"/api/v1/items/{own}"), ("POST", f"/items/{own}/delete")]
        + [("POST", f"/items/{own}/state"), ("MAPPE", str(own)), ("MAPPE-SEARCH", word[:5] + "*")]
        + [("GET", "/mappe"), ("PDF", "/mappe.pdf"), ("GET", "/mappe.zip")]
        + [("PDF", f"/items/{items['public']}/handout.pdf"), ("PDF", f"/items/{own}/handout.pdf")]
        + [("PDF", f"/events/{EVENT_SLUG}/handout.pdf"), ("GET", "/qa/1"), ("GET", "/qa/2")]
        + [("GET", "/events"), ("GET", f"/events/{EVENT_SLUG}"), ("GET", "/series/x")]
        + [("ZIP", f"/events/{EVENT_SLUG}/materials.zip")]
        + [("GET", f"/items/{own}/guidance"), ("FEED", "")]
        + _api_network_surfaces(items, own)
    )


def _api_network_surfaces(items: dict[str, int], own: int) -> list[tuple[str, str]]:
    """The API's events, series, guidance, deadlines, Q&A and handouts (the internal event
    "netzwerk-intern" and the internal Q&A entry carry the internal word)."""
    public = items["public"]
    reads = [
        "/api/v1/series", "/api/v1/events?per_page=100", "/api/v1/events?upcoming=true",
        f"/api/v1/events/{EVENT_SLUG}", "/api/v1/events/netzwerk-intern",
        "/api/v1/guidance?per_page=100", "/api/v1/guidance?status=upcoming",
        f"/api/v1/guidance/{public}", f"/api/v1/guidance/{own}",
        f"/api/v1/guidance/{own}/changes", f"/api/v1/guidance/{items['internal']}/changes",
        "/api/v1/deadlines?days=730", "/api/v1/qa?per_page=100", f"/api/v1/qa?guidance={public}",
        "/api/v1/qa?event=netzwerk-intern", "/api/v1/qa/1", "/api/v1/qa/2",
    ]  # fmt: skip
    pdfs = [
        f"/api/v1/events/{EVENT_SLUG}/handout.pdf", "/api/v1/events/netzwerk-intern/handout.pdf",
        f"/api/v1/guidance/{public}/handout.pdf", f"/api/v1/guidance/{own}/handout.pdf",
    ]  # fmt: skip
    return (
        [("GET", p) for p in reads]
        + [("PDF", p) for p in pdfs]
        + [("ZIP", f"/api/v1/events/{EVENT_SLUG}/materials.zip")]
        + [("BUNDLE", f"{public},{own}"), ("BUNDLE", str(public))]
    )


def _leaks(body: bytes, word: str) -> bool:
    return word.encode() in body.lower()


def _body(client, method: str, path: str) -> bytes:
    """One response; "MAPPE"/"MAPPE-SEARCH" try to put the item/search into the Mappe."""
    if method == "FEED":  # the role's personal calendar feed (made on the account page)
        with client.post("/account/calendar") as made:
            page = made.get_data(as_text=True)
        if "/calendar/" not in page:
            return page.encode()  # anonymous: sent to the login
        start = page.index("/calendar/")
        method, path, data = "GET", page[start : page.index('"', start)], None
    elif method == "MAPPE":
        method, path, data = "POST", "/mappe/items", {"item_id": path}
    elif method == "MAPPE-SEARCH":
        method, data = "POST", {"qs": f"q={path}", "label": "Suche"}
        path = "/mappe/searches"
    elif method == "ZIP":  # names and contents unpacked: deflate would hide a leak
        with client.open(path) as response:
            return _unzipped(response.get_data())
    elif method == "PDF":  # text and metadata extracted: compressed streams would hide a leak
        with client.open(path) as response:
            return _pdf_text(response)
    elif method == "BUNDLE":  # the API's handout bundle of these item ids, as text
        ids = [int(i) for i in path.split(",")]
        with client.post("/api/v1/handouts/bundle", json={"item_ids": ids}) as response:
            return _pdf_text(response)
    else:
        data = {"target": "review"} if method == "POST" else None
    with client.open(path, method=method, data=data) as response:
        return response.get_data()


def _pdf_text(response) -> bytes:
    body = response.get_data()
    if response.status_code != 200 or not body.startswith(b"%PDF"):
        return body
    reader = pypdf.PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return (text + "\n" + str(reader.metadata) + "\n" + str(reader.outline)).encode()


def _unzipped(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return b"\n".join(n.encode() + b"\n" + archive.read(n) for n in archive.namelist())


@pytest.mark.parametrize("role", sorted(HIDDEN))
def test_hidden_words_never_reach_a_weaker_role(world, kb, role):
    clients, items = world
    for word in HIDDEN[role]:
        for method, path in _surfaces(word, items, kb):
            body = _body(clients[role], method, path)
            assert not _leaks(body, word), (role, word, method, path)


def _without_csrf(body: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", body)


@pytest.mark.parametrize("role", sorted(HIDDEN))
def test_searching_the_exact_word_is_byte_for_byte_a_search_for_nothing(world, role):
    """The query is echoed, so compare with a search for a word that exists nowhere."""
    clients, _ = world
    for word in HIDDEN[role]:
        assert len(CONTROL) == len(word)
        for path in (
            "/search?q={}",
            "/search/complete?q={}",
            "/search?q=%22{}+Entwurf%22",
            "/search?q=Verwendungsnachweis&organisation=Orga+{}",  # a facet value is echoed
            "/organisations/orga-{}",  # named only by a hidden item: as if it did not exist
            "/api/v1/search?q={}",
            "/api/v1/search?q=Verwendungsnachweis&organisation=Orga+{}",
        ):
            got = _without_csrf(_body(clients[role], "GET", path.format(word)))
            control = _without_csrf(_body(clients[role], "GET", path.format(CONTROL)))
            assert got.replace(word.encode(), CONTROL.encode()) == control, (role, path)


def test_the_surfaces_would_reveal_the_words_without_the_filter(world, kb):
    """Proof that the leak tests can fail: Redaktion, who may see all, gets the words back."""
    clients, items = world
    for word in (DRAFT_WORD, INTERNAL_WORD):
        found = [path for _, path in _surfaces(word, items, kb)[:5]
                 if _leaks(_body(clients["red"], "GET", path), word)]  # fmt: skip
        assert len(found) >= 4, (word, found)
        for path in ("/districts/15002", "/topics/beratung", f"/organisations/orga-{word}"):
            assert _leaks(_body(clients["red"], "GET", path), word), (word, path)


def test_the_guidance_surfaces_would_reveal_the_words_without_the_filter(world):
    """Redaktion sees the words on the new surfaces, so their absence for others means something."""
    clients, items = world
    red = clients["red"]
    assert _leaks(_body(red, "GET", "/deadlines"), INTERNAL_WORD)
    assert _leaks(_body(red, "GET", "/guidance"), INTERNAL_WORD)
    public_page = _body(red, "GET", f"/items/{items['public']}")
    assert _leaks(public_page, INTERNAL_WORD) and _leaks(public_page, DRAFT_WORD)
    assert _leaks(_body(red, "FEED", ""), INTERNAL_WORD)
    assert _leaks(_body(clients["leser"], "FEED", ""), INTERNAL_WORD)
    assert _leaks(_body(clients["leser"], "GET", "/qa/1"), INTERNAL_WORD)  # the internal Q&A
    # The public item (guidance) handout names its hidden successor to Redaktion only.
    assert _leaks(_body(red, "PDF", f"/items/{items['public']}/handout.pdf"), INTERNAL_WORD)


def test_members_find_the_internal_item_but_never_the_draft(world, kb):
    from kb.services.accounts import viewer_by_name
    from kb.services.discovery import related
    from kb.services.search import run_search

    _, items = world
    leser = viewer_by_name(kb, "leser")
    assert [h.item_id for h in run_search(kb, INTERNAL_WORD, leser).hits] == [items["internal"]]
    assert run_search(kb, DRAFT_WORD, leser).total == 0
    assert items["draft"] not in {r["id"] for r in related(kb, items["public"], leser)}
    owner = viewer_by_name(kb, "autor_own")
    assert [h.item_id for h in run_search(kb, DRAFT_WORD, owner).hits] == [items["draft"]]


def test_cli_search_as_a_user_obeys_the_same_rule(world, runner):
    _, items = world
    anon = runner.invoke(args=["search", INTERNAL_WORD[:5] + "*", "--json"])
    assert anon.exit_code == 0 and not _leaks(anon.output.encode(), INTERNAL_WORD)
    leser = runner.invoke(args=["search", INTERNAL_WORD, "--json", "--as", "leser"])
    assert [h["id"] for h in json.loads(leser.output)["hits"]] == [items["internal"]]
    unknown = runner.invoke(args=["search", INTERNAL_WORD, "--as", "niemand"])
    assert unknown.exit_code == 1 and "gibt es nicht" in unknown.output


def test_the_event_page_and_zip_would_reveal_the_words_without_the_filter(world):
    """Proof that the event surfaces can fail: Redaktion gets both words back from each."""
    clients, _ = world
    page = _body(clients["red"], "GET", f"/events/{EVENT_SLUG}")
    archive = _body(clients["red"], "ZIP", f"/events/{EVENT_SLUG}/materials.zip")
    handout = _body(clients["red"], "PDF", f"/events/{EVENT_SLUG}/handout.pdf")
    for word in (DRAFT_WORD, INTERNAL_WORD):
        assert _leaks(page, word) and _leaks(archive, word) and _leaks(handout, word), word


def test_the_api_network_surfaces_would_reveal_the_words_without_the_filter(world):
    """Redaktion gets the words back from the new API surfaces, so their absence means something."""
    clients, items = world
    red = clients["red"]
    for word in (DRAFT_WORD, INTERNAL_WORD):
        own = items["draft"] if word == DRAFT_WORD else items["internal"]
        found = [
            (method, path)
            for method, path in _api_network_surfaces(items, own)
            if _leaks(_body(red, method, path), word)
        ]
        paths = {path for _, path in found}
        assert f"/api/v1/events/{EVENT_SLUG}" in paths, word  # the programme's internal talk
        assert f"/api/v1/events/{EVENT_SLUG}/materials.zip" in paths, word
        assert f"/api/v1/guidance/{items['public']}" in paths, word  # FAQ / successor
        # A draft's deadlines are not in force, so only the internal word is due.
        assert ("/api/v1/deadlines?days=730" in paths) == (word == INTERNAL_WORD), word
        assert f"{items['public']},{own}" in paths, word  # the bundle
        assert f"/api/v1/guidance/{own}/handout.pdf" in paths, word
    internal_only = {path for method, path in _api_network_surfaces(items, items["internal"])
                     if _leaks(_body(red, method, path), INTERNAL_WORD)}  # fmt: skip
    for path in ("/api/v1/events/netzwerk-intern", "/api/v1/qa/1", "/api/v1/qa?per_page=100",
                 "/api/v1/events/netzwerk-intern/handout.pdf"):  # fmt: skip
        assert path in internal_only, path
    # Members may read the internal word; the bundle of the internal item shows it to them.
    assert _leaks(_body(clients["leser"], "BUNDLE", str(items["internal"])), INTERNAL_WORD)


DELETED_WORD = "glombrixel"


def test_a_deleted_item_never_appears_anywhere(world, kb):
    """In the trash, an item is gone for everyone — Redaktion too — but the trash page."""
    from kb.services.access import SYSTEM

    clients, items = world
    text = io.BytesIO(f"{COMMON} {DELETED_WORD}".encode())
    meta = ItemMeta(title=f"{DELETED_WORD} Papierkorb")
    gone = upload_files(kb, [UploadFile("weg.txt", text)], meta, SYSTEM)[0].item_id
    jobs.run_until_idle(kb)
    red = clients["red"]
    assert _leaks(_body(red, "GET", f"/search?q={DELETED_WORD}"), DELETED_WORD)  # can fail
    assert red.post("/mappe/items", data={"item_id": gone}).status_code == 302
    assert red.post(f"/items/{gone}/delete").status_code == 302
    jobs.run_until_idle(kb)
    fake = {**items, "draft": gone, "internal": gone}
    for role, client in clients.items():
        for method, path in _surfaces(DELETED_WORD, fake, kb):
            if method == "MAPPE-SEARCH":
                continue
            body = _body(client, method, path)
            assert not _leaks(body, DELETED_WORD), (role, method, path)
    assert _leaks(_body(red, "GET", "/admin/trash"), DELETED_WORD)
    with red.get(f"/api/v1/items/{gone}") as response:
        assert response.status_code == 404


def test_the_participant_surfaces_would_reveal_the_deck_without_the_filter(world, kb):
    """The participant gets the deck's word back where the others get nothing: download,
    handout, event page, event ZIP and handout, API, Mappe and search."""
    clients, items = world
    participant, deck = clients["participant"], items["participants"]
    file_id = _file_ids(kb, deck)[0]
    surfaces = [
        ("GET", f"/search?q={PARTICIPANT_WORD}"),
        ("GET", f"/search/complete?q={PARTICIPANT_WORD[:4]}"),
        ("GET", f"/items/{deck}/files/{file_id}"),
        ("PDF", f"/items/{deck}/handout.pdf"),
        ("GET", f"/events/{EVENT_SLUG}"),
        ("ZIP", f"/events/{EVENT_SLUG}/materials.zip"),
        ("PDF", f"/events/{EVENT_SLUG}/handout.pdf"),
        ("GET", f"/api/v1/items/{deck}"),
        ("GET", f"/api/v1/search?q={PARTICIPANT_WORD}"),
        ("ZIP", f"/api/v1/events/{EVENT_SLUG}/materials.zip"),
        ("MAPPE", str(deck)),
        ("GET", "/mappe"),
        ("ZIP", "/mappe.zip"),
    ]
    missing = [s for s in surfaces if not _leaks(_body(participant, *s), PARTICIPANT_WORD)]
    assert missing == [("MAPPE", str(deck))]  # a redirect: the word is on /mappe itself
