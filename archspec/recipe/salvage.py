"""The cross-field errors a failed validation never reached, so that all are reported at once.

Pydantic checks the fields of a document and stops: a spec with one bad field never gets to
its cross-field checks, nor does any spec around it.  Here the values that failed are left out
(each standing in for its default, or taking the smallest enclosing mapping with it when it is
required) and the document is validated again with their paths as `failed`, so that the
declared checks (archspec.spec.checks) run on everything else and skip only those that read a
left-out value.  What that second validation finds beyond the first is returned to be
rendered with it.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from archspec.recipe.schema import clean_loc
from archspec.recipe.source import DocPath
from archspec.spec.checks import FAILED, overlaps

ROUNDS = 20
"""At most this many validations of a shrinking document (each removes at least one value)."""


def unreached_errors(
    model: type[BaseModel], data: Any, first: ValidationError
) -> list[ErrorDetails]:
    """The cross-field errors of `data` that `first` (its failed validation) does not show."""
    doc = copy.deepcopy(data)
    failed: list[DocPath] = []
    found: list[ErrorDetails] = []
    err = first
    for _ in range(ROUNDS):
        cuts: list[DocPath] = []
        for e in err.errors(include_url=False):
            path = clean_loc(model, e["loc"]).path
            if e["type"] == "cross_field" and err is not first:
                declared = (e.get("ctx") or {}).get("declared")
                # declared checks skipped what failed; a spec's own after-validator (one not
                # declared with cross_check) can be trusted only if nothing in it was left out
                if declared or not any(overlaps(path, f) for f in failed):
                    found.append(e)
            if e["type"] == "cross_field" and not path:
                continue  # the outermost spec's rules: they ran on everything that is left
            if any(path[: len(c)] == c for c in cuts):
                continue  # already left out with an enclosing value
            cut = _remove(doc, path)
            if cut is None:
                return found  # a value the whole document needs: nothing more to learn
            cuts.append(cut)
        if not cuts:
            return found
        failed += cuts
        try:
            model.model_validate(doc, context={FAILED: tuple(failed)})
            return found
        except ValidationError as again:
            err = again
    return found


def _remove(doc: Any, path: DocPath) -> DocPath | None:
    """Delete the deepest mapping key on `path` that `doc` has (not a list item: the whole
    list); the path removed, or None when that would be the document itself."""
    at: list[Any] = []
    node = doc
    for key in path:
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if not (in_list or (isinstance(node, dict) and key in node)):
            break
        at.append(key)
        node = node[key]
    while at and isinstance(at[-1], int):
        at.pop()  # an item of a list: drop the list
    if not at:
        return None
    parent = doc
    for key in at[:-1]:
        parent = parent[key]
    if not isinstance(parent, dict):
        return None
    del parent[at[-1]]
    return tuple(at)
