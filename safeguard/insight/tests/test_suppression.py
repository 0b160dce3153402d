from safeguard.insight.suppression import MIN_CELL, SUPPRESSED_TEXT, figure, suppress


def counts(table):
    return {c.key: c.count for c in table.cells}


def test_threshold_is_five():
    assert MIN_CELL == 5
    assert SUPPRESSED_TEXT == "fewer than 5"


def test_primary_and_secondary_suppression():
    table = suppress("t", "T", "Thing", [("a", "A", 100), ("b", "B", 3), ("c", "C", 40), ("d", "D", 0)])
    # b is small; with the total shown, b = total - a - c, so the next smallest (c) goes too. Zero stays.
    assert counts(table) == {"a": 100, "b": None, "c": None, "d": 0}
    assert table.total.count == 143
    assert table.cells[1].display == "fewer than 5"
    assert table.cells[2].display == "withheld"
    assert table.cells[1].share is None and table.cells[0].share == 100 / 143


def test_two_small_cells_need_no_secondary():
    table = suppress("t", "T", "Thing", [("a", "A", 100), ("b", "B", 3), ("c", "C", 4), ("d", "D", 40)])
    assert counts(table) == {"a": 100, "b": None, "c": None, "d": 40}


def test_small_total_hides_everything():
    table = suppress("t", "T", "Thing", [("a", "A", 2), ("b", "B", 1), ("c", "C", 0)])
    assert counts(table) == {"a": None, "b": None, "c": 0}
    assert table.total.count is None


def test_exactly_five_is_shown():
    table = suppress("t", "T", "Thing", [("a", "A", 5), ("b", "B", 5)])
    assert counts(table) == {"a": 5, "b": 5}
    assert figure("x", "X", 4).display == "fewer than 5"
    assert figure("x", "X", 0).display == "0"


def test_rows_for_exports_carry_the_suppression_text():
    rows = suppress("t", "T", "Thing", [("a", "A", 100), ("b", "B", 3), ("c", "C", 40)]).rows()
    assert rows[1] == ["B", "fewer than 5", ""]
    assert rows[-1] == ["Total", 143, ""]
