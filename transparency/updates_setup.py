"""The updates part's wiring, called once from TransparencyConfig.ready() (one line there)."""

from __future__ import annotations


def register_updates_part() -> None:
    from portal import demo
    from transparency import caching, permissions
    from transparency.demo import seed_updates

    caching.connect_signals()  # bump the cached update fragments on every change
    caching.register_district_section()  # the district page's recent updates
    permissions.register_staff_side()  # admin permissions and the staff home card "Updates"
    demo.register("transparency", seed_updates, order=40)
