"""Legal aid (维权): rights advisers and lawyers' duty hours, consultations through the
feedback loop, guides per kind of matter, mediation, and a green channel."""
