"""The audit log: an append-only record of who did what, when, where and from which address."""
