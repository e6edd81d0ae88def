"""The documented hook that turns a concern into a complaint, so the two apps stay apart.

Feedback never imports the complaints app. The complaints app (when it exists) registers ONE
converter from its AppConfig.ready():

    from feedback.hooks import register_complaint_converter

    class ComplaintsConfig(AppConfig):
        def ready(self):
            from complaints.services import complaint_from_feedback
            register_complaint_converter(complaint_from_feedback)

The converter is called as `func(*, feedback, actor) -> str`:
- `feedback` is the `feedback.models.Feedback` concern (locked with SELECT ... FOR UPDATE, inside
  the transaction of the conversion: if the converter raises, nothing is saved on either side);
- `actor` is the administrator who asked for it;
- it returns the new complaint's reference (1 to 32 characters), which feedback stores in
  `Feedback.complaint_reference`, records in the item's thread, and shows to staff. The item is
  then closed. It may raise django.core.exceptions.ValidationError to refuse (shown on the page).

The converter must copy what it needs (message, district, officer, the sender's account) and
must not expose an anonymous sender's contact address anywhere feedback would not.
Until a converter is registered, the staff page says the conversion is not available yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feedback.models import Feedback

ComplaintConverter = Callable[..., str]

_converter: ComplaintConverter | None = None


def register_complaint_converter(func: ComplaintConverter) -> ComplaintConverter:
    """Register the function that makes a complaint from a concern (the last one registered wins).

    Returns `func`, so it can be used as a decorator.
    """
    global _converter
    if not callable(func):
        raise TypeError("register_complaint_converter needs a callable func(*, feedback, actor) -> str")
    _converter = func
    return func


def unregister_complaint_converter() -> None:
    """Forget the converter (for tests)."""
    global _converter
    _converter = None


def complaint_converter() -> ComplaintConverter | None:
    """The registered converter, or None when no complaints app has registered one."""
    return _converter


def complaint_conversion_available() -> bool:
    return _converter is not None


def call_complaint_converter(*, feedback: Feedback, actor: Any) -> str:
    """Call the registered converter (feedback.services.answering.feedback_to_complaint uses this)."""
    if _converter is None:
        raise LookupError("No complaint converter is registered.")
    return _converter(feedback=feedback, actor=actor)
