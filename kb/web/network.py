"""Browsing the network: districts (with a schematic map), topics and organisations."""

from __future__ import annotations

from flask import Blueprint, render_template

from kb.models import ORGANISATION_KINDS
from kb.services import browse
from kb.services.reference import all_districts
from kb.services.vocabulary import public_topics
from kb.web import kb, viewer

bp = Blueprint("network", __name__)

#: Size of one map tile in the SVG's user units (the SVG scales to the page width).
TILE_W, TILE_H, GAP = 150, 84, 8


def label_lines(name: str, width: int = 16) -> list[str]:
    """A tile's visible label in one or two lines ("Altmarkkreis Salzwedel" -> two).

    >>> label_lines("Anhalt-Bitterfeld")
    ['Anhalt-', 'Bitterfeld']
    >>> label_lines("Harz")
    ['Harz']
    """
    if len(name) <= width:
        return [name]
    breaks = [i + 1 for i, c in enumerate(name) if c in " -"]
    if not breaks:
        return [name]
    cut = min(breaks, key=lambda i: abs(i - len(name) / 2))
    return [name[:cut].strip(), name[cut:].strip()]


@bp.get("/districts")
def districts() -> str:
    """All districts as a tile map (each tile a link) and as a plain list beside it."""
    listed = all_districts(kb())
    tiles, rows, cols = browse.district_map(listed)
    return render_template(
        "network/districts.html",
        districts=listed,
        tiles=[
            {
                "ags": d.ags,
                "name": d.name,
                "kind": d.kind,
                "x": (d.map_col or 0) * (TILE_W + GAP),
                "y": (d.map_row or 0) * (TILE_H + GAP),
                "city": d.kind == "kreisfreie Stadt",
                "lines": label_lines(d.name),
            }
            for d in tiles
        ],
        width=max(cols * (TILE_W + GAP) - GAP, 0),
        height=max(rows * (TILE_H + GAP) - GAP, 0),
        tile_w=TILE_W,
        tile_h=TILE_H,
    )


@bp.get("/districts/<ags>")
def district(ags: str) -> str:
    page = browse.district_page(kb(), ags[:8], viewer())
    return render_template("network/district.html", page=page, org_kinds=ORGANISATION_KINDS)


@bp.get("/topics")
def topics() -> str:
    return render_template("network/topics.html", topics=public_topics(kb()))


@bp.get("/topics/<slug>")
def topic(slug: str) -> str:
    return render_template("network/topic.html", page=browse.topic_page(kb(), slug[:80], viewer()))


@bp.get("/organisations")
def organisations() -> str:
    return render_template(
        "network/organisations.html",
        organisations=browse.organisations(kb(), viewer()),
        org_kinds=ORGANISATION_KINDS,
    )


@bp.get("/organisations/<slug>")
def organisation(slug: str) -> str:
    page = browse.organisation_page(kb(), slug[:80], viewer())
    return render_template("network/organisation.html", page=page, org_kinds=ORGANISATION_KINDS)
