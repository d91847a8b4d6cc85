"""HTTP plumbing shared by every route: request context, error pages, health."""
