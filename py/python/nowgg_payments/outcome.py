"""What a consume did: ``ConsumeOutcome``, returned by ``consume_purchase``."""

from enum import Enum

__all__ = ["ConsumeOutcome"]


class ConsumeOutcome(str, Enum):
    """How a purchase came to be consumed; a ``str``, so it compares equal to (and
    serialises as) ``"consumed"`` or ``"already_consumed"``. Both mean done: the purchase
    is consumed and may be bought again."""

    # generated: outcomes (by `cargo xtask codegen` from the core's table; do not edit)
    CONSUMED = "consumed"
    """This call consumed the purchase."""
    ALREADY_CONSUMED = "already_consumed"
    """It was consumed before this call, or this call's answer was lost and a verify shows it
    consumed."""
    # /generated: outcomes

    def __str__(self) -> str:
        return self.value
