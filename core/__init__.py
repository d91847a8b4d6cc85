"""Gongzhi core: app factory, configuration, CLI, data layer and the services every district has."""

import os

# Piccolo finds its engine and app registry through this module; every entry point of
# Gongzhi (CLI, app, tests) shares it, so tables bind to the engine the settings name.
os.environ.setdefault("PICCOLO_CONF", "core.piccolo_conf")
