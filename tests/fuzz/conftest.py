"""The standing fuzz suite: property-based tests over every input the product reads.

Each property is "a clear error or success, never an exception or a 5xx, in bounded time and
memory" (docs/security.md, "The fuzz suite"). The settings are in ``strategies.FUZZ``: few
examples, derandomised, so every run of the suite tries the same cases quickly; raise
``max_examples`` there to search harder. What a search finds becomes a file in
tests/data/attacks/.
"""
