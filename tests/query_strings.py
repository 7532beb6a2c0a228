"""Raw query strings of GET /api/v2/jobs, as hypothesis generates them for the differential
test (test_differential.py): valid, invalid and odd pairs of names and values
(query_values.py), joined as clients and fuzzers join them."""

from __future__ import annotations

from hypothesis import strategies as st

from .query_values import (
    DIRECTIONS,
    NAMES,
    ORIGINS,
    PARSED_NAMES,
    SORTABLE,
    SPACES,
    STATUSES,
    UNKNOWN_NAMES,
    booleans,
    datetimes,
    enums,
    integers,
    iso_datetimes,
    mangled,
    odd,
    timestamps,
)


@st.composite
def strings(draw: st.DrawFn) -> str:
    """Anything at all, mostly short, sometimes long."""
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from("a0%")) * draw(st.integers(1000, 6000))
    return draw(
        st.lists(
            st.one_of(
                st.text(st.characters(codec="utf-8", exclude_characters="&"), max_size=4),
                st.from_regex(r"[A-Za-z0-9_.~-]{1,8}", fullmatch=True),
                odd,
                st.sampled_from(SPACES),
            ),
            max_size=4,
        ).map("".join)
    )


def typed_value(name: str) -> st.SearchStrategy[str]:
    """Values of the type of parameter `name`: valid, nearly valid and invalid."""
    return {
        "order_by": enums([*SORTABLE, "variables", "errors", "user_id", "origin"]),
        "order_by_direction": enums(DIRECTIONS),
        "status": enums(STATUSES),
        "origin": enums(ORIGINS),
        "limit": integers(),
        "offset": integers(),
        "min_runs": integers(),
        "max_runs": integers(),
        "errors": booleans(),
        "start_date": st.one_of(datetimes(), iso_datetimes(), timestamps()),
        "end_date": st.one_of(datetimes(), iso_datetimes(), timestamps()),
    }.get(name, strings())


def value_for(name: str) -> st.SearchStrategy[str]:
    """Values meant for parameter `name` (mostly of its type, sometimes of another)."""
    typed = typed_value(name)
    anything = st.one_of(
        integers(), booleans(), datetimes(), timestamps(), strings(), enums(STATUSES + ORIGINS)
    )
    return st.one_of(typed, typed, typed, typed, anything)


@st.composite
def pairs(draw: st.DrawFn, unknown_weight: int = 1) -> str:
    """One `name=value` pair of a query string, or an odd variant of it."""
    if draw(st.integers(0, 5 + unknown_weight)) > 5:
        name = draw(st.one_of(st.sampled_from(UNKNOWN_NAMES), strings()))
        value = draw(st.one_of(strings(), value_for(draw(st.sampled_from(NAMES)))))
    else:
        name = draw(st.sampled_from(PARSED_NAMES if draw(st.integers(0, 3)) else NAMES))
        value = draw(value_for(name))
        name = draw(mangled(name))
    value = draw(mangled(value))
    form = draw(st.integers(0, 19))
    if form == 0:
        return name  # a key without '='
    if form == 1:
        return "=" + value  # no name
    if form == 2:
        return name + "="  # empty value
    if form == 3:
        return name + "==" + value  # the value starts with '='
    return name + "=" + value


@st.composite
def focused_queries(draw: st.DrawFn) -> str:
    """One parsed parameter with a value of its type, sometimes after an earlier value."""
    name = draw(st.sampled_from(PARSED_NAMES))
    query = name + "=" + draw(typed_value(name))
    if draw(st.integers(0, 5)) == 0:  # the last value wins (a list takes both)
        query = name + "=" + draw(typed_value(name)) + "&" + query
    return query


@st.composite
def odd_queries(draw: st.DrawFn, unknown_weight: int = 1) -> str:
    """A raw query string: pairs joined by '&' (sometimes '&&', ';'), edges included."""
    items = draw(st.lists(pairs(unknown_weight), max_size=draw(st.sampled_from([1, 2, 3, 6]))))
    if items and draw(st.integers(0, 4)) == 0:  # repeat a parameter, with another value
        name = items[draw(st.integers(0, len(items) - 1))].split("=", 1)[0]
        items.insert(draw(st.integers(0, len(items))), name + "=" + draw(value_for(name)))
    query = ""
    for index, item in enumerate(items):
        if index:
            query += draw(st.sampled_from(["&"] * 12 + ["&&", ";", "&;", "%26"]))
        query += item
    if draw(st.integers(0, 9)) == 0:
        query = draw(st.sampled_from(["&", "&&", "?"])) + query
    if draw(st.integers(0, 9)) == 0:
        query += draw(st.sampled_from(["&", "&&", "#", "%"]))
    return query


def queries(unknown_weight: int = 1) -> st.SearchStrategy[str]:
    """Half the budget on the parsers of single values, half on whole odd query strings."""
    return st.one_of(focused_queries(), odd_queries(unknown_weight))
