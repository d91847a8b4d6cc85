"""The feedback loop: what residents raise, who answers it by when, and how it ends."""
