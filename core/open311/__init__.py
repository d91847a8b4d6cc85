"""Open311 GeoReport v2: each district is one jurisdiction at /t/{slug}/open311/v2/."""
