"""心理服务 (mental_health): screening, a crisis route, four-level referral and counselling,
as a first-party plugin shaped like any third-party one (it imports only ``core.sdk``)."""
