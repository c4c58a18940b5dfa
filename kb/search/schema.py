"""The Whoosh schema, declared once; one comment per field.

One index document per page or slide of an item's current file version, each
carrying its item's fields, so a hit can say "Folie 7". Items without text get
one document of their own (page 0). A single ``__meta__`` document holds the id
of the last index-log entry applied; it has no access terms, so the always-on
permission filter keeps it out of every search.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, SchemaClass

from kb.search.analysis import display_analyzer, exact_analyzer, german_analyzer

META_DOC_ID = "__meta__"
#: Bump when fields or analyzers change: an index of another version is rebuilt from the DB.
SCHEMA_VERSION = 3


class KbSchema(SchemaClass):
    #: "i<item>/p<page>" — unique, so update/delete address one document.
    doc_id = ID(unique=True, stored=True)
    #: The item's id as text; re-indexing an item deletes all documents with this term.
    item_id = ID(stored=True, sortable=True)
    #: Page/slide number within the file (0 = the item itself, no page).
    page = NUMERIC(stored=True, signed=False)
    #: "page", "slide" or "section" — how the UI names the number.
    unit = STORED()
    #: Title, stemmed and folded; boosted because a title match says the most.
    title = TEXT(analyzer=german_analyzer(), stored=True, field_boost=3.0)
    #: Title, folded but not stemmed: exact forms rank above stemmed ones.
    title_exact = TEXT(analyzer=exact_analyzer(), field_boost=4.0)
    #: The page's text, stemmed and folded; stored for highlighted snippets.
    content = TEXT(analyzer=german_analyzer(), stored=True)
    #: The page's text, not stemmed, boosted a little above ``content``.
    content_exact = TEXT(analyzer=exact_analyzer(), field_boost=1.5)
    #: Words as written (lower-cased, umlauts kept) of title, summary and text: the source of
    #: completions and spelling suggestions, which must read like words, not like index terms.
    words = TEXT(analyzer=display_analyzer(), phrase=False, spelling=True)
    #: Summary, speakers, organisation, topics, programme, districts and event of the item.
    summary = TEXT(analyzer=german_analyzer(), field_boost=1.5)
    # -- facets and filters (item-level values, stored for counting per item) --
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
    #: File types of the item's current files (pdf, pptx …).
    filetype = KEYWORD(stored=True, commas=True, scorable=False)
    #: The item's date (or upload date); sorting by date.
    date = DATETIME(stored=True, sortable=True)
    #: Principals that may see this document (anon, member, editor, archived:…).
    allow = KEYWORD(commas=False, scorable=False)
    #: The original file name, for display in the hit.
    filename = STORED()
    #: Only on the meta document: the last applied index-log id.
    applied = NUMERIC(stored=True, bits=64, signed=False)
    #: Only on the meta document: the SCHEMA_VERSION the index was built with.
    schema_version = NUMERIC(stored=True, signed=False)
