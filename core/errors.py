"""The domain's one error: a change that cannot be made now.

Every service raises :class:`TransitionError` (or a subclass) with a
sentence a person can act on; views show it as a message, never a 500."""


class TransitionError(Exception):
    """A move or change that cannot be made now; the message says why."""
