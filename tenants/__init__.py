"""Tenants: districts, their organisation units, onboarding and resolution from the request."""
