"""Routes that take a district and an object but need no cross-tenant case, each with why.

The cross-tenant test (tests/test_cross_tenant.py) fails for a route that has neither a
case nor an entry here, and prints how many entries this file holds.
"""

EXEMPTIONS: dict[tuple[str, str], str] = {}
