"""Wiring of the subscriptions + fan-out part, called once from TransparencyConfig.ready()."""

from __future__ import annotations


def connect() -> None:
    from portal import account_data, demo
    from portal.outbox import outbox_failed_for_good
    from transparency.demo_subscribers import seed_subscribers
    from transparency.services import fanout, subscriptions

    # A permanent SMTP refusal of one of our emails marks the address undeliverable.
    outbox_failed_for_good.connect(fanout.on_outbox_failed_for_good, dispatch_uid="transparency.fanout.undeliverable")
    account_data.register(
        "transparency-subscriptions",
        export=subscriptions.subscriptions_export,
        erase=subscriptions.subscriptions_erase,
    )
    demo.register("transparency-subscribers", seed_subscribers, order=39)
