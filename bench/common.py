"""What every benchmark shares: a database of its own, production-like settings, Django set-up,
waiting for ports, and printing results (a table for people, one JSON line for bench/run.py).

A benchmark never touches the database or cache others use: on PostgreSQL (DATABASE_URL set) it
makes a database of its own and drops it afterwards; otherwise it uses an SQLite file in a
temporary folder. With REDIS_URL set, the cache goes to Redis database 14, flushed before and after.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
JSON_PREFIX = "BENCH_JSON "
BENCH_REDIS_DB = 14


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def _pg_admin(server_url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(server_url.replace("pgsql://", "postgres://", 1))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def bench_database(name: str) -> Iterator[str]:
    """A fresh, empty database for one benchmark; yields its URL and removes it afterwards."""
    server_url = os.environ.get("DATABASE_URL", "")
    if is_postgres(server_url):
        url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        _pg_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(server_url, f"CREATE DATABASE {name}")
        try:
            yield url
        finally:
            _pg_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            yield f"sqlite:///{folder}/{name}.sqlite3"


@contextmanager
def bench_redis() -> Iterator[str]:
    """REDIS_URL pointed at a database of the benchmark's own (empty string without Redis)."""
    server_url = os.environ.get("REDIS_URL", "")
    if not server_url:
        yield ""
        return
    import redis

    url = urlunsplit(urlsplit(server_url)._replace(path=f"/{BENCH_REDIS_DB}"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def production_env(*, database_url: str, redis_url: str, var_dir: str, site_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP on loopback."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": f"bench-{secrets.token_hex(32)}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site_url,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str], *, settings_module: str = "portal.settings") -> None:
    """Configure this process from `env` (which wins over .env) and set Django up."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass(frozen=True)
class Site:
    database_url: str
    redis_url: str
    var_dir: str

    @property
    def database(self) -> str:
        return database_label(self.database_url)

    @property
    def cache(self) -> str:
        return "Redis" if self.redis_url else "database"


@contextmanager
def bench_site(
    *,
    database: str,
    var_prefix: str,
    site_url: str,
    settings_module: str = "portal.settings",
    redis: bool = True,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Site]:
    """This process set up as a production-like site on a database of the benchmark's own (and,
    with `redis` and REDIS_URL set, a Redis database of its own), VAR_DIR in a temporary folder;
    `extra_env` is added to the settings' environment."""
    with (
        bench_database(database) as database_url,
        bench_redis() if redis else nullcontext("") as redis_url,
        tempfile.TemporaryDirectory(prefix=var_prefix) as var_dir,
    ):
        env = production_env(database_url=database_url, redis_url=redis_url, var_dir=var_dir, site_url=site_url)
        env.update(extra_env or {})
        setup_django(env, settings_module=settings_module)
        yield Site(database_url=database_url, redis_url=redis_url, var_dir=var_dir)


def prepare_database(*, with_cache_table: bool) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if with_cache_table:
        call_command("createcachetable", verbosity=0)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, *, seconds: float, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited with {process.returncode}")
        if not port_is_free(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0.5 = median), linear between the two nearest values."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))


def emit_json(result: dict) -> None:
    print(JSON_PREFIX + json.dumps(result), flush=True)


def database_label(url: str) -> str:
    return "PostgreSQL" if is_postgres(url) else "SQLite"
