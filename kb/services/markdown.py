"""Markdown for item bodies (guidance checklists): CommonMark, then an allow-list sanitiser.

Bodies are written by Autor and Redaktion accounts, but a page must never run
what someone typed, so rendering has two steps: markdown-it-py (CommonMark,
tables, task lists) turns the text into HTML, and nh3 (Rust's ammonia) keeps
only the tags and attributes listed below. Raw HTML in the text reaches the
sanitiser as HTML and loses everything not on the list (``<script>`` and
``<style>`` with their content); links keep only ``http``, ``https`` and
``mailto`` addresses; relative and ``javascript:`` links lose their ``href``.

Task lists ("- [ ] Antrag stellen", "- [x] …") become disabled checkboxes
wrapped in a ``<label>`` with the item's text, so a screen reader reads
"Kontrollkästchen, nicht aktiviert: Antrag stellen"; the state is also written
out in a visually hidden word ("erledigt"/"offen") for readers that do not
announce disabled controls.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

#: Tags that survive sanitising; anything else is removed (its text kept).
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "ul", "ol", "li", "strong", "em",
    "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "input", "label",
    "blockquote", "hr", "span",
}  # fmt: skip
#: Tags removed together with their content.
REMOVED_WITH_CONTENT = {"script", "style"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
#: Attributes that may carry only these values (the checkbox can be nothing but a checkbox).
ATTRIBUTE_VALUES = {
    "input": {
        "type": {"checkbox"},
        "checked": {"checked", ""},
        "disabled": {"disabled", ""},
    }
}
#: Whatever the text says, a checkbox on a page is never a working control.
FORCED_ATTRIBUTES = {"input": {"disabled": "disabled", "type": "checkbox"}}
ALLOWED_CLASSES = {
    "ul": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
    "span": {"visually-hidden"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox"( checked="checked")?[^>]*>')


def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True}).enable("table").use(tasklists_plugin, label=True)
    )


def _state_word(match: re.Match[str]) -> str:
    word = "erledigt" if match.group(1) else "offen"
    return f'{match.group(0)}<span class="visually-hidden">({word})</span>'


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    """Drop relative link targets too: a body has no business linking into the app's forms."""
    if tag == "a" and attribute == "href" and ":" not in value:
        return None
    return value


def render_markdown(text: str) -> str:
    """``text`` (Markdown) as sanitised HTML, safe to insert into a page or handout.

    >>> render_markdown("- [x] Antrag stellen")  # doctest: +ELLIPSIS
    '<ul class="contains-task-list">...checked="checked"...(erledigt)</span> Antrag stellen...'
    >>> render_markdown('<img src=x onerror="alert(1)">Text')
    '<p>Text</p>'
    """
    if not text or not text.strip():
        return ""
    html = _CHECKBOX.sub(_state_word, _parser().render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_absolute_links,
        tag_attribute_values=ATTRIBUTE_VALUES,
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
