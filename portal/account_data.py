"""The registry behind "export my data" and "delete my account".

Each app contributes a part from its own AppConfig.ready(), so `portal` never imports a feature
app: `register(name, export=..., erase=...)`. `export(user)` returns JSON-ready data of what the
person gave us; `erase(user)` removes or de-identifies it (records the law says we keep, such as
complaints and access logs, are left to the retention rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.models import User


@dataclass(frozen=True)
class AccountDataPart:
    name: str
    export: Callable[[User], Any]
    erase: Callable[[User], None] | None = None


_parts: dict[str, AccountDataPart] = {}


def register(name: str, *, export: Callable[[User], Any], erase: Callable[[User], None] | None = None) -> None:
    """Add (or replace, so a re-run ready() is harmless) the part called `name`.

    `export` must return data `json.dumps` can write with Django's encoder (dates, decimals and
    UUIDs are fine). `erase` runs inside the deletion's transaction, before the account's email
    address is anonymised, so it may still find rows by that address.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"An account data part needs a plain name, not {name!r}.")
    _parts[name] = AccountDataPart(name=name, export=export, erase=erase)


def unregister(name: str) -> None:
    _parts.pop(name, None)


def registered_parts() -> list[AccountDataPart]:
    return list(_parts.values())


def register_portal_parts() -> None:
    """The foundation's own part: the account itself."""
    from portal import accounts

    register("account", export=accounts.account_export_part, erase=None)
