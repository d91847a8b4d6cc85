"""Protection of sensitive personal data: envelope encryption and audited reads."""
