"""Domain events: written to an outbox table in the same transaction as the change they
announce, delivered after commit to their handlers as jobs, at least once."""
