"""Guidance: validity rules, editions (supersedes), deadlines, the overview and "what changed"."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import login
from sqlalchemy import select

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import Deadline, Event, IndexLog, Item
from kb.services import deadlines, guidance, guidance_pages
from kb.services.access import ANONYMOUS, SYSTEM, Viewer
from kb.services.accounts import viewer_by_name
from kb.services.deadlines import DeadlineInput
from kb.services.guidance import GuidanceEdit, validity

TODAY = dt.date(2026, 6, 15)
D = dt.date


# -- validity(): a pure function of the item, its neighbours and today --------------------


def sheet(
    id_: int,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    state: str = "published",
) -> Item:
    return Item(
        id=id_,
        title=f"Merkblatt {id_}",
        kind="leitfaden",
        state=state,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def chain(old: Item, new: Item) -> None:
    new.supersedes = old


def test_current_with_and_without_dates():
    v = validity(sheet(1, D(2026, 1, 1)), TODAY)
    assert (v.status, v.banner, v.label) == ("current", "Gültig seit 01.01.2026", "gültig")
    assert validity(sheet(1), TODAY).banner == "Gültig"
    v = validity(sheet(1, D(2026, 1, 1), D(2026, 12, 31)), TODAY)
    assert v.banner == "Gültig seit 01.01.2026, bis einschließlich 31.12.2026"


def test_boundaries_are_inclusive():
    assert validity(sheet(1, TODAY), TODAY).status == "current"
    assert validity(sheet(1, None, TODAY), TODAY).status == "current"
    assert validity(sheet(1, None, TODAY - dt.timedelta(days=1)), TODAY).status == "expired"
    assert validity(sheet(1, TODAY + dt.timedelta(days=1)), TODAY).status == "upcoming"


def test_upcoming_and_expired():
    v = validity(sheet(1, D(2027, 1, 1)), TODAY)
    assert (v.status, v.banner) == ("upcoming", "Gilt ab 01.01.2027")
    v = validity(sheet(1, D(2025, 1, 1), D(2025, 12, 31)), TODAY)
    assert (v.status, v.banner) == ("expired", "Abgelaufen am 31.12.2025")


def test_a_successor_in_force_supersedes_and_wins_over_expired():
    old, new = sheet(1, D(2025, 1, 1), D(2025, 12, 31)), sheet(2, D(2026, 1, 1))
    chain(old, new)
    v = validity(old, TODAY)
    assert (v.status, v.banner) == ("superseded", "Ersetzt durch: Merkblatt 2")
    assert (v.successor_id, v.successor_title) == (2, "Merkblatt 2")
    n = validity(new, TODAY)
    assert (n.status, n.predecessor_id, n.predecessor_title) == ("current", 1, "Merkblatt 1")


def test_a_successor_without_start_date_supersedes_at_once():
    old, new = sheet(1, D(2025, 1, 1)), sheet(2)
    chain(old, new)
    assert validity(old, TODAY).status == "superseded"


def test_an_upcoming_successor_leaves_the_old_sheet_current_with_a_note():
    old, new = sheet(1, D(2026, 1, 1), D(2026, 12, 31)), sheet(2, D(2027, 1, 1))
    chain(old, new)
    v = validity(old, TODAY)
    assert v.status == "current"
    assert v.note == "Wird ab 01.01.2027 ersetzt durch: Merkblatt 2"
    assert v.successor_from == D(2027, 1, 1)
    # On the day the successor starts, the old one is superseded.
    assert validity(old, D(2027, 1, 1)).status == "superseded"


def test_a_draft_successor_replaces_nothing():
    old, new = sheet(1, D(2026, 1, 1)), sheet(2, D(2026, 2, 1), state="draft")
    chain(old, new)
    v = validity(old, TODAY)
    assert (v.status, v.note) == ("current", "")


def test_superseded_wins_over_upcoming():
    old, new = sheet(1, D(2027, 1, 1)), sheet(2, D(2026, 1, 1))
    chain(old, new)
    assert validity(old, TODAY).status == "superseded"


def test_hidden_neighbours_are_not_named():
    old, new = sheet(1, D(2025, 1, 1)), sheet(2, D(2026, 1, 1))
    chain(old, new)
    v = validity(old, TODAY, may_see=lambda item: item.id != 2)
    assert (v.status, v.banner) == ("superseded", "Ersetzt durch eine neuere Fassung")
    assert (v.successor_id, v.successor_title) == (None, "")
    upcoming_new = sheet(3, D(2027, 1, 1))
    other = sheet(4, D(2026, 1, 1))
    chain(other, upcoming_new)
    assert validity(other, TODAY, may_see=lambda item: item.id != 3).note == ""
    p = validity(new, TODAY, may_see=lambda item: item.id != 1)
    assert (p.predecessor_id, p.predecessor_title) == (None, "")


# -- set_guidance(): editing, with every bad input ------------------------------------------


@pytest.fixture
def sheets(make_item):
    """Three published public guidance items and one talk (open mode: no accounts yet)."""

    def make(title: str, kind: str = "leitfaden") -> int:
        return make_item(f"Text von {title}", title=title, kind=kind)

    return {
        "a": make("Merkblatt 2024"),
        "b": make("Merkblatt 2025"),
        "c": make("Merkblatt 2026"),
        "talk": make("Impuls Arbeitgeber", kind="impulsvortrag"),
    }


def _log(kb) -> list[int]:
    with kb.db.reading() as session:
        return list(session.scalars(select(IndexLog.object_id).order_by(IndexLog.id)))


def test_set_guidance_stores_fields_and_reindexes_old_and_new_predecessors(kb, sheets):
    edit = GuidanceEdit(
        "Investitionsbank Sachsen-Anhalt",
        D(2026, 1, 1),
        D(2026, 12, 31),
        sheets["a"],
        "- [ ] Antrag stellen",
    )
    before = len(_log(kb))
    guidance.set_guidance(kb, sheets["b"], edit, SYSTEM)
    assert set(_log(kb)[before:]) == {sheets["a"], sheets["b"]}
    with kb.db.reading() as session:
        b = session.get(Item, sheets["b"])
        assert b.issuing_body.name == "Investitionsbank Sachsen-Anhalt"
        assert (b.valid_from, b.valid_until, b.supersedes_id) == (
            D(2026, 1, 1),
            D(2026, 12, 31),
            sheets["a"],
        )
        assert b.body == "- [ ] Antrag stellen"
    # Moving the link from a to c re-indexes b, c and the old predecessor a.
    before = len(_log(kb))
    guidance.set_guidance(kb, sheets["b"], GuidanceEdit(supersedes_id=sheets["c"]), SYSTEM)
    assert set(_log(kb)[before:]) == {sheets["a"], sheets["b"], sheets["c"]}


def _refused(kb, item_id, edit, viewer=SYSTEM) -> str:
    with pytest.raises(ValidationError) as caught:
        guidance.set_guidance(kb, item_id, edit, viewer)
    return caught.value.message_de


def test_valid_until_before_valid_from_is_refused(kb, sheets):
    message = _refused(
        kb, sheets["a"], GuidanceEdit(valid_from=D(2026, 2, 1), valid_until=D(2026, 1, 31))
    )
    assert message == "„Gültig bis“ (31.01.2026) liegt vor „Gültig ab“ (01.02.2026)."


def test_superseding_itself_is_refused(kb, sheets):
    message = _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=sheets["a"]))
    assert message == "Ein Leitfaden kann sich nicht selbst ersetzen."


def test_cycles_are_refused_also_over_longer_chains(kb, sheets):
    guidance.set_guidance(kb, sheets["b"], GuidanceEdit(supersedes_id=sheets["a"]), SYSTEM)
    message = _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=sheets["b"]))
    assert "keinen Kreis" in message
    guidance.set_guidance(kb, sheets["c"], GuidanceEdit(supersedes_id=sheets["b"]), SYSTEM)
    assert "keinen Kreis" in _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=sheets["c"]))


def test_an_edition_already_superseded_by_another_is_refused(kb, sheets):
    guidance.set_guidance(kb, sheets["b"], GuidanceEdit(supersedes_id=sheets["a"]), SYSTEM)
    message = _refused(kb, sheets["c"], GuidanceEdit(supersedes_id=sheets["a"]))
    assert message == (
        "„Merkblatt 2024“ wird bereits durch „Merkblatt 2025“ ersetzt. "
        "Eine Fassung kann nur einen Nachfolger haben."
    )
    # Saving b again with the same predecessor is fine.
    guidance.set_guidance(kb, sheets["b"], GuidanceEdit(supersedes_id=sheets["a"]), SYSTEM)


def test_unknown_and_hidden_predecessors_get_the_same_message(kb, sheets, add_user, set_item):
    assert _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=99999)) == (
        "Einen Leitfaden Nr. 99999 gibt es nicht."
    )
    owner = add_user("autorin", "autor")
    set_item(sheets["a"], owner_id=owner)
    set_item(sheets["c"], state="draft", access="internal")  # hidden from the Autorin
    autorin = Viewer(owner, ("autor",))
    assert _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=sheets["c"]), autorin) == (
        f"Einen Leitfaden Nr. {sheets['c']} gibt es nicht."
    )


def test_only_guidance_supersedes_only_guidance(kb, sheets):
    message = _refused(kb, sheets["a"], GuidanceEdit(supersedes_id=sheets["talk"]))
    assert (
        message == "„Impuls Arbeitgeber“ ist kein Leitfaden; ersetzt werden können nur Leitfäden."
    )
    assert "nur für Einträge der Art „Leitfaden“" in _refused(kb, sheets["talk"], GuidanceEdit())


def test_only_editors_and_owners_set_guidance(kb, sheets, add_user):
    add_user("leser")
    with pytest.raises(Forbidden):
        guidance.set_guidance(kb, sheets["a"], GuidanceEdit(), viewer_by_name(kb, "leser"))
    with pytest.raises(Forbidden):
        guidance.set_guidance(kb, sheets["a"], GuidanceEdit(), ANONYMOUS)


def test_a_bad_deadline_writes_nothing(kb, sheets):
    edit = GuidanceEdit(
        body="neu",
        deadlines=[DeadlineInput("Antrag", "2026-03-31"), DeadlineInput("", "2026-04-01")],
    )
    assert "Titel" in _refused(kb, sheets["a"], edit)
    with kb.db.reading() as session:
        assert session.get(Item, sheets["a"]).body == ""
        assert session.scalars(select(Deadline)).all() == []


# -- deadlines --------------------------------------------------------------------------------


def test_deadline_rows_are_checked():
    rows = deadlines.validate_rows(
        [
            DeadlineInput("Verwendungsnachweis", "30.6.2026", "  x "),
            DeadlineInput("", "", ""),
            DeadlineInput("Antrag", "2026-03-31"),
        ]
    )
    assert [(r.title, r.due_on, r.note) for r in rows] == [
        ("Antrag", D(2026, 3, 31), ""),
        ("Verwendungsnachweis", D(2026, 6, 30), "x"),
    ]
    with pytest.raises(ValidationError, match="„31.02.2026“ ist kein gültiges Datum"):
        deadlines.validate_rows([DeadlineInput("Antrag", "31.02.2026")])
    with pytest.raises(ValidationError, match="Bitte geben Sie ein Datum an"):
        deadlines.validate_rows([DeadlineInput("Antrag", "")])
    with pytest.raises(ValidationError, match="Frist 1: Bitte geben Sie einen Titel an"):
        deadlines.validate_rows([DeadlineInput(" ", "2026-01-01")])


def test_add_remove_and_set_deadlines(kb, sheets, add_user):
    deadline_id = deadlines.add_deadline(
        kb, sheets["a"], DeadlineInput("Antrag", "2026-07-01"), SYSTEM
    )
    with pytest.raises(ValidationError):
        deadlines.add_deadline(kb, sheets["a"], DeadlineInput(), SYSTEM)
    with pytest.raises(ValidationError):
        deadlines.add_deadline(kb, sheets["talk"], DeadlineInput("X", "2026-07-01"), SYSTEM)
    with pytest.raises(NotFound):
        deadlines.remove_deadline(kb, sheets["b"], deadline_id, SYSTEM)  # not b's deadline
    deadlines.remove_deadline(kb, sheets["a"], deadline_id, SYSTEM)
    deadlines.set_deadlines(
        kb,
        sheets["a"],
        [DeadlineInput("A", "2026-07-01"), DeadlineInput("B", "2026-08-01")],
        SYSTEM,
    )
    with kb.db.reading() as session:
        assert [d.title for d in deadlines.of_item(session, sheets["a"])] == ["A", "B"]
    add_user("leser")
    with pytest.raises(Forbidden):
        deadlines.set_deadlines(kb, sheets["a"], [], viewer_by_name(kb, "leser"))


def _event(kb, slug: str, access: str, starts_on: dt.date) -> int:
    with kb.db.writing() as session:
        event = Event(
            slug=slug,
            title=f"Werkstatt {slug}",
            starts_on=starts_on,
            access=access,
            city="Halle (Saale)",
            venue="Stadthaus",
        )
        session.add(event)
        session.flush()
        return event.id


def test_upcoming_lists_visible_deadlines_and_guidance_starting_soon(
    kb, sheets, add_user, set_item
):
    set_item(sheets["c"], valid_from=TODAY + dt.timedelta(days=30))
    set_item(sheets["b"], access="internal")
    deadlines.set_deadlines(
        kb,
        sheets["a"],
        [
            DeadlineInput("Antrag A", TODAY),
            DeadlineInput("Zu spät", TODAY - dt.timedelta(1)),
            DeadlineInput("Zu fern", TODAY + dt.timedelta(121)),
        ],
        SYSTEM,
    )
    deadlines.set_deadlines(
        kb, sheets["b"], [DeadlineInput("Intern B", TODAY + dt.timedelta(5))], SYSTEM
    )
    public_event = _event(kb, "oeffentlich", "public", TODAY)
    internal_event = _event(kb, "intern", "internal", TODAY)
    with kb.db.writing() as session:
        session.add(Deadline(event_id=public_event, due_on=TODAY + dt.timedelta(2), title="Anm."))
        session.add(Deadline(event_id=internal_event, due_on=TODAY + dt.timedelta(3), title="Int"))
    anon = deadlines.upcoming(kb, ANONYMOUS, TODAY)
    assert [(u.title, u.kind) for u in anon] == [
        ("Antrag A", "deadline"),
        ("Anm.", "deadline"),
        ("Merkblatt 2026", "valid_from"),
    ]
    assert anon[1].event_slug == "oeffentlich" and anon[0].item_id == sheets["a"]
    add_user("leser")
    leser = [u.title for u in deadlines.upcoming(kb, viewer_by_name(kb, "leser"), TODAY)]
    assert leser == ["Antrag A", "Anm.", "Int", "Intern B", "Merkblatt 2026"]
    assert [u.title for u in deadlines.upcoming(kb, ANONYMOUS, TODAY, days=10)] == [
        "Antrag A",
        "Anm.",
    ]


# -- overview and "what changed" --------------------------------------------------------------


def test_overview_groups_by_validity_and_respects_access(kb, sheets, set_item, add_user):
    set_item(sheets["a"], valid_from=D(2024, 1, 1), valid_until=D(2024, 12, 31))
    set_item(sheets["b"], valid_from=D(2026, 1, 1))
    set_item(sheets["c"], valid_from=D(2027, 1, 1), access="internal")
    anon = guidance.guidance_overview(kb, ANONYMOUS, TODAY)
    assert [r.title for r in anon.current] == ["Merkblatt 2025"]
    assert anon.upcoming == [] and [r.title for r in anon.old] == ["Merkblatt 2024"]
    add_user("leser")
    leser = guidance.guidance_overview(kb, viewer_by_name(kb, "leser"), TODAY)
    assert [r.title for r in leser.upcoming] == ["Merkblatt 2026"]
    assert "Impuls Arbeitgeber" not in {r.title for r in leser.current + leser.old}


def test_changes_compare_files_and_bodies(kb, make_item):
    old = make_item("Antrag bis 31.03.\nBelege sammeln", title="Merkblatt alt", kind="leitfaden")
    new = make_item(
        "Antrag bis 30.04.\nBelege sammeln\nNeu: Online-Portal",
        title="Merkblatt neu",
        kind="leitfaden",
    )
    guidance.set_guidance(kb, old, GuidanceEdit(body="- [ ] Formular A"), SYSTEM)
    guidance.set_guidance(kb, new, GuidanceEdit(supersedes_id=old, body="- [ ] Formular B"), SYSTEM)
    c = guidance_pages.changes(kb, new, ANONYMOUS)
    assert (c.predecessor_id, c.predecessor_title) == (old, "Merkblatt alt")
    assert len(c.pages) == 1
    assert ("removed", "Antrag bis 31.03.") in c.pages[0].lines
    assert ("added", "- [ ] Formular B") in c.body
    assert c.whats_new == ["- [ ] Formular B", "Antrag bis 30.04.", "Neu: Online-Portal"]
    with pytest.raises(NotFound):
        guidance_pages.changes(kb, old, ANONYMOUS)  # no predecessor


def test_changes_fall_back_to_bodies_without_files(kb):
    with kb.db.writing() as session:
        a, b = (
            Item(title=t, kind="leitfaden", state="published", access="public")
            for t in ("ohne Datei alt", "ohne Datei neu")
        )
        session.add_all([a, b])
        session.flush()
        ids = a.id, b.id
    guidance.set_guidance(kb, ids[0], GuidanceEdit(body="Zeile 1\nZeile 2"), SYSTEM)
    guidance.set_guidance(
        kb, ids[1], GuidanceEdit(supersedes_id=ids[0], body="Zeile 1\nZeile 3"), SYSTEM
    )
    c = guidance_pages.changes(kb, ids[1], ANONYMOUS)
    assert c.pages == [] and c.whats_new == ["Zeile 3"]


# -- pages ---------------------------------------------------------------------------------------


def test_item_page_shows_banner_checklist_deadlines_and_changes_link(app, kb, client, sheets):
    app.config["KB_TODAY"] = TODAY.isoformat()
    guidance.set_guidance(kb, sheets["a"], GuidanceEdit(valid_from=D(2025, 1, 1)), SYSTEM)
    edit = GuidanceEdit(
        "Landesverwaltungsamt",
        D(2027, 1, 1),
        None,
        sheets["a"],
        "## Schritte\n- [ ] Antrag stellen\n- [x] Beratung <script>x</script>",
        [DeadlineInput("Antragsfrist", "2027-03-31")],
    )
    guidance.set_guidance(kb, sheets["b"], edit, SYSTEM)
    page = client.get(f"/items/{sheets['b']}").get_data(as_text=True)
    assert 'role="status"' in page and "Gilt ab 01.01.2027" in page
    assert "Landesverwaltungsamt" in page and "31.03.2027" in page and "Antragsfrist" in page
    assert 'type="checkbox"' in page and "<script>x" not in page
    assert f'href="/items/{sheets["b"]}/changes"' in page
    old = client.get(f"/items/{sheets['a']}").get_data(as_text=True)
    assert "Gültig seit 01.01.2025" in old and "Wird ab 01.01.2027 ersetzt durch" in old
    assert f'href="/items/{sheets["b"]}"' in old
    changes = client.get(f"/items/{sheets['b']}/changes")
    assert changes.status_code == 200 and "Was ist neu" in changes.get_data(as_text=True)
    assert client.get(f"/items/{sheets['a']}/changes").status_code == 404
    talk = client.get(f"/items/{sheets['talk']}").get_data(as_text=True)
    assert 'id="validity-h"' not in talk


def test_guidance_and_deadlines_pages(app, kb, client, sheets, set_item):
    app.config["KB_TODAY"] = TODAY.isoformat()
    set_item(sheets["c"], valid_from=D(2026, 7, 1))
    deadlines.set_deadlines(
        kb, sheets["a"], [DeadlineInput("Zwischenbericht", "2026-07-15")], SYSTEM
    )
    overview = client.get("/guidance").get_data(as_text=True)
    assert "Künftig gültig" in overview and "Gilt ab 01.07.2026" in overview
    assert f'href="/items/{sheets["c"]}"' in overview and "Impuls Arbeitgeber" not in overview
    page = client.get("/deadlines").get_data(as_text=True)
    assert page.index("01.07.2026") < page.index("15.07.2026")
    assert "Zwischenbericht" in page and "Gilt ab diesem Tag" in page


def test_guidance_form_saves_and_reports_bad_input(app, kb, client, sheets, add_user):
    add_user("red", "redaktion")
    login(client, "red")
    url = f"/items/{sheets['b']}/guidance"
    form = client.get(url).get_data(as_text=True)
    assert 'name="supersedes_id"' in form and "Merkblatt 2024" in form
    data = {
        "issuing_body": "IB",
        "valid_from": "01.01.2026",
        "valid_until": "",
        "supersedes_id": str(sheets["a"]),
        "body": "- [ ] A",
        "deadline_title": ["Antrag", ""],
        "deadline_due": ["2026-03-31", ""],
        "deadline_note": ["", ""],
    }
    assert client.post(url, data=data).status_code == 302
    with kb.db.reading() as session:
        b = session.get(Item, sheets["b"])
        assert (b.valid_from, b.supersedes_id, b.issuing_body.name) == (
            D(2026, 1, 1),
            sheets["a"],
            "Investitionsbank Sachsen-Anhalt",  # "IB" is its short name in the reference list
        )
        assert [d.title for d in deadlines.of_item(session, b.id)] == ["Antrag"]
    bad = client.post(url, data={**data, "valid_until": "2025-12-31"})
    assert bad.status_code == 400 and "liegt vor" in bad.get_data(as_text=True)
    bad = client.post(url, data={**data, "valid_from": "32.01.2026"})
    assert bad.status_code == 400 and "kein gültiges Datum" in bad.get_data(as_text=True)
    talk = client.get(f"/items/{sheets['talk']}/guidance")
    assert talk.status_code == 200 and "nur für Einträge der Art" in talk.get_data(as_text=True)
    assert client.post(f"/items/{sheets['talk']}/guidance", data=data).status_code == 400
