"""Push subscriptions: one per browser (device) a person turned notifications on in, per district."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from core.tenancy import TenantOwned


class PushSubscription(TenantOwned, tablename="core_push_subscription"):
    """Where a browser's push service takes messages for one person in one district (the
    district's service worker holds it). An endpoint is unique per district: a browser that
    another person signs in to and turns notifications on in moves to that person."""

    person = Integer(index=True, help_text="accounts_person.id")
    endpoint = Text(help_text="The push service's URL for this browser")
    p256dh = Varchar(length=120, help_text="The browser's public key (P-256, base64url)")
    auth = Varchar(length=40, help_text="The browser's authentication secret (base64url)")
    label = Varchar(length=80, default="", help_text="What the person sees: browser and system, e.g. Chrome · Android")
    created_at = Timestamptz()
    last_sent_at = Timestamptz(null=True, default=None)
