"""Model instances without Django's per-instance machinery (checked against Django 5.2.19).

Private or undocumented names relied on:

- `Model.__new__` then filling the instance `__dict__` by attname, with `_state` set to a fresh
  `django.db.models.base.ModelState` (undocumented): what `Model.from_db` does, minus `__init__`'s walk
  over every field's default. Assumes an instance is fully described by its attnames plus `_state`.
- `ModelState.adding` and `ModelState.db` (private `_state`): set after a row was inserted by SQL of
  our own (COPY, INSERT .. RETURNING), as `Model.save` sets them, so a later `save()` updates.
- `ModelState.fields_cache` (private): a forward relation's object cached under the field's name, as
  `Model(relation=obj)` caches it, so reading the relation costs no query.
- `Signal.has_listeners` on `pre_init` / `post_init` (undocumented method): with a listener the
  constructor is used, so nobody's signal is skipped.

Tests: `safeguard/core/tests/test_internals.py` (`test_instance_built_without_init_*`,
`test_marked_saved_*`, `test_cached_relation_*`).
"""

from collections.abc import Callable, Sequence
from functools import cache

from django.db.models import NOT_PROVIDED, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


@cache
def _defaults(model: type[Model]) -> tuple[dict, tuple[tuple[str, Callable], ...]] | None:
    """(constant defaults by attname, per-instance default makers), or None where this shortcut
    would skip behaviour (a database-side default)."""
    constants, makers = {}, []
    for field in model._meta.concrete_fields:
        if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            return None
        if field.has_default() and callable(field.default):
            makers.append((field.attname, field.default))  # uuid4, dict, list, now: fresh each time
        else:
            constants[field.attname] = field.get_default()
    return constants, tuple(makers)


def build_unsaved(model: type[Model], rows: list[dict]) -> list[Model]:
    """Unsaved `model` instances, one per dict of values keyed by attname, as the constructor would
    make them: every field's default, then the given values. Falls back to the constructor where a
    field has a database default or an init signal has listeners."""
    defaults = _defaults(model)
    if defaults is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return [model(**values) for values in rows]  # Django's __init__ takes attnames too
    constants, makers = defaults
    new = model.__new__
    out = []
    for values in rows:
        obj = new(model)
        state = obj.__dict__
        state.update(constants)
        for attname, make in makers:
            state[attname] = make()
        state.update(values)
        state["_state"] = ModelState()
        out.append(obj)
    return out


def mark_saved(objs: Sequence[Model], alias: str) -> None:
    """Record that each instance's row now exists in database `alias` (as `Model.save` does after an insert)."""
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias


def cache_related(obj: Model, name: str, related: Model) -> None:
    """Cache `related` as `obj`'s forward relation `name`, as `Model(name=related)` would."""
    obj._state.fields_cache[name] = related
