"""The Whoosh schema, declared once; one comment per field.

Two kinds of documents. An **item document** (``doctype`` "item", page 0)
per item carries everything a search matches and ranks on: title, summary,
the text of all its pages (``alltext``), facets and access terms. So AND, NOT
and phrases apply to the whole document, even when its words stand on
different slides, and facets and totals count items. A **page document** per
page or slide carries that page's text only; it is used after matching, to
say which pages of a found item fit best ("Folie 7") and to cut snippets.
A single ``__meta__`` document holds the id of the last index-log entry
applied; it has no access terms, so the always-on permission filter keeps it
out of every search.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, SchemaClass

from kb.search.analysis import display_analyzer, exact_analyzer, german_split_analyzer

META_DOC_ID = "__meta__"
#: Facet name -> index field (stored on item documents; see the fields below).
FACETS = {
    "kind": "kind",
    "event": "event",
    "district": "district",
    "topic": "topic",
    "year": "year",
    "speaker": "speaker",
    "organisation": "organisation",
    "programme": "programme",
    "filetype": "filetype",
    "series": "series",
    "validity": "validity",
}
#: Facets whose stored value is comma-separated (KEYWORD fields with ``commas=True``).
MULTI_VALUED = frozenset({"district", "topic", "speaker", "filetype"})
#: Bump when fields or analyzers change: an index of another version is rebuilt from the DB.
SCHEMA_VERSION = 10


class KbSchema(SchemaClass):
    #: "i<item>", "i<item>/f<file>/p<page>", "e<event>", "q<qa>" (and "q<qa>/p1") — unique,
    #: so update/delete address one document.
    doc_id = ID(unique=True, stored=True)
    #: "item" or "page" (see the module docs). Events and Q&A entries have one "item"
    #: document of their own (Q&A also one page document, for its snippet).
    doctype = ID()
    #: The object's key: the item's id as text ("12"), "e12" for event 12, "q5" for Q&A
    #: entry 5; re-indexing an object first deletes all documents with this term.
    item_id = ID(stored=True, sortable=True)
    #: Page/slide number within the file (0 on the item document).
    page = NUMERIC(stored=True, signed=False)
    #: "page", "slide" or "section" — how the UI names the number.
    unit = STORED()
    # -- matched and ranked (item documents) --
    #: Title, stemmed and folded; boosted because a title match says the most.
    title = TEXT(analyzer=german_split_analyzer(), stored=True, field_boost=3.0)
    #: Title, folded but not stemmed: exact forms rank above stemmed ones. Only scored, in
    #: the second pass over the best matches (kb/search/rerank.py), so no positions.
    title_exact = TEXT(analyzer=exact_analyzer(), field_boost=4.0, phrase=False)
    #: The text of all pages, stemmed, with compound parts ("Förderantrag" also as "antrag").
    alltext = TEXT(analyzer=german_split_analyzer())
    #: The text of all pages, folded but not stemmed, boosted above ``alltext``; only scored
    #: in the second pass, so no positions (a fifth less to write in a rebuild).
    alltext_exact = TEXT(analyzer=exact_analyzer(), field_boost=1.5, phrase=False)
    #: Summary, speakers, organisation, topics, programme, districts and event of the item.
    summary = TEXT(analyzer=german_split_analyzer(), field_boost=2.0)
    #: Words as written (lower-cased, umlauts kept): the source of completions and spelling
    #: suggestions, which must read like words, not like index terms.
    words = TEXT(analyzer=display_analyzer(), phrase=False, spelling=True)
    # -- located (page documents) --
    #: The page's text, stemmed, with compound parts; stored, and with character offsets in
    #: the postings so snippets are cut without analysing the page text again.
    content = TEXT(analyzer=german_split_analyzer(), stored=True, chars=True)
    #: The original file name of the page's file.
    filename = STORED()
    # -- facets and filters (item documents; stored for counting per item) --
    #: Item kind id (praesentation, leitfaden …).
    kind = ID(stored=True)
    #: Slug of the item's event, if any.
    event = ID(stored=True)
    #: Topic slugs.
    topic = KEYWORD(stored=True, commas=True, scorable=False)
    #: District keys (AGS).
    district = KEYWORD(stored=True, commas=True, scorable=False)
    #: Year of the item's date.
    year = ID(stored=True)
    #: Speakers/authors as written.
    speaker = KEYWORD(stored=True, commas=True, scorable=False)
    #: Organisation as written.
    organisation = ID(stored=True)
    #: Funding programme (AMIF, …).
    programme = ID(stored=True)
    #: Slug of the event's series (IKOE-Ideenwerkstatt …).
    series = ID(stored=True)
    #: Guidance only: current, upcoming, superseded or expired — as of the day it was
    #: indexed; the worker re-indexes guidance daily, so a date passing moves it.
    validity = ID(stored=True)
    #: File types of the item's current files (pdf, pptx …).
    filetype = KEYWORD(stored=True, commas=True, scorable=False)
    #: The item's date (or upload date); sorting by date.
    date = DATETIME(stored=True, sortable=True)
    #: Principals that may see this document (anon, member, editor, archived:…); on both kinds.
    allow = KEYWORD(commas=False, scorable=False)
    # -- the meta document --
    #: The last applied index-log id.
    applied = NUMERIC(stored=True, bits=64, signed=False)
    #: The SCHEMA_VERSION the index was built with.
    schema_version = NUMERIC(stored=True, signed=False)
