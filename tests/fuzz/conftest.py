"""The standing fuzz suite: property-based tests over every input the product reads.

Each property is "a clear error or success, never an exception or a 5xx, in bounded time and
memory". Examples are few (``FUZZ``) so the suite stays fast; the ``ci`` profile of
hypothesis is not loaded here, so a developer may raise ``max_examples`` locally with
``--hypothesis-seed`` or by editing FUZZ. The attack files of tests/data/attacks/ are the
regressions found so far.
"""
