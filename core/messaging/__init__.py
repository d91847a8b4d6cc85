"""Sending messages to people: SMS through a gateway hook, email through SMTP."""
