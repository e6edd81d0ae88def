"""The Redis cache, with every error a miss — including `add`.

django-redis with IGNORE_EXCEPTIONS turns Redis errors into misses, except that `add` then
answers None ("not added"). allauth takes a lock with `cache.add` before each rate-limit check
and refuses the request when it cannot (allauth.core.internal.ratelimit.cache_lock), so with the
stock backend a Redis outage turns every sign-up and sign-in into "429 Too Many Requests".
Here a failed `add` reads as a miss too ("nothing was there, so it was added"): rate limits fail
open while Redis is down, as portal/settings.py documents, and the error is still logged.

The one other `cache.add` on our paths is allauth's TOTP replay guard: during an outage a
two-factor code can be replayed within its 30-second window, rather than staff being locked out.
"""

from __future__ import annotations

from typing import Any

from django_redis.cache import RedisCache, omit_exception


class FailOpenRedisCache(RedisCache):
    @omit_exception(return_value=True)
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self.client.add(*args, **kwargs)
