"""The plugin's one handle on Gongzhi: every call into the platform goes through it."""

from core.sdk import Plugin

plugin = Plugin("volunteer_exchange")
