"""The plugin host: manifests, loading, per-district enablement, containment of failures,
and the web parts of plugins. Plugins themselves import only ``core.sdk``."""
