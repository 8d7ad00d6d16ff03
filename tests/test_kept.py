"""config.kept.Kept: bounded, the least recently used goes first."""

from config.kept import Kept


def test_it_keeps_at_most_maxsize_dropping_the_least_recently_used():
    kept = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2
    kept.clear()
    assert len(kept) == 0 and kept.get("a") is None
