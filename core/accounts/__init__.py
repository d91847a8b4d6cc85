"""Accounts: platform-wide people, their platform roles, memberships in districts, sessions."""
