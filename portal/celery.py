"""The Celery app: Redis when REDIS_URL is set, else kombu's filesystem transport under var/."""

import os
import uuid
from time import monotonic

from celery import Celery
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """kombu's filesystem transport does not create its folders."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in (settings.CELERY_QUEUE_DIR, settings.CELERY_CONTROL_DIR):
            folder.mkdir(parents=True, exist_ok=True)


# --- The embedded broker: kombu's filesystem transport, with whole messages only ---------------


class _WholeMessageChannel(filesystem.Channel):
    """Writes each message under a name no reader looks at, then renames it into the queue.

    kombu's own `_put` creates the message file and writes it afterwards; a worker polling in
    between moves the empty file away, fails to decode it ("Expecting value: line 1 column 1")
    and the task is lost (celery/kombu issue #1551). A rename is atomic, so a reader sees the
    whole message or nothing.
    """

    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"  # "<queue>.msg.part" never matches the reader's "<queue>.msg"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class EmbeddedBrokerTransport(filesystem.Transport):
    """Set as CELERY_BROKER_TRANSPORT when REDIS_URL is unset (portal/settings.py)."""

    Channel = _WholeMessageChannel
