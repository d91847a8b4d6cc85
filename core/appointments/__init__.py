"""Appointment slots: times a district offers (a counselling session, a lawyer's duty hour,
a volunteer activity) that residents book, with capacity kept under concurrency, weekly
schedules, cancellation and a reminder the day before. Plugins reach it through
``Plugin.appointments`` in the SDK."""
