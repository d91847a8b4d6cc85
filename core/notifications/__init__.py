"""Notifications: every one lands in the person's inbox in the district; other channels
(email, SMS, and Web Push later) follow the person's preferences and the district's settings."""
