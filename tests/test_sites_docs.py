"""docs/sites.md stays true: its table names every field of ``Site``, and its walk-through's
module is the one in ``extraction/sites``."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from extraction import sites
from extraction.sites import Site

DOC = (Path(__file__).parent.parent / "docs" / "sites.md").read_text(encoding="utf-8")


def documented_fields() -> list[str]:
    table = DOC.split("## The fields of a `Site`", 1)[1]
    return re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE)


def test_the_table_names_every_field_of_a_site_once() -> None:
    fields = documented_fields()
    assert sorted(fields) == sorted(field.name for field in dataclasses.fields(Site))


def test_the_walk_through_shows_the_module_as_it_is() -> None:
    code = "LEFIGARO = register(" + DOC.split("LEFIGARO = register(", 1)[1].split("```", 1)[0]
    call = ast.parse(code).body[0].value.args[0]  # type: ignore[attr-defined]
    shown = {keyword.arg: keyword.value for keyword in call.keywords}
    figaro = sites.named("lefigaro")
    literal = {name: value for name, value in shown.items() if not isinstance(value, ast.Name)}
    assert "note" in literal and len(literal) >= 9  # name, title, home, domains, feeds...
    for name, value in literal.items():
        if name != "note":  # shown cut short
            assert ast.literal_eval(value) == getattr(figaro, name), name
    assert ast.unparse(shown["page_class"]) == figaro.page_class.__name__
