"""Notices: the district's disclosure catalogue, and notices reviewed before they are published."""
