"""Web Push: a notification channel for the browsers that can take it (``core.notifications``)."""
