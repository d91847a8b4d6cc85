"""The plugin marketplace's platform side: publishers upload wheels, platform admins review them."""
