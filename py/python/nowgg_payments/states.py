"""The documented values of a purchase's ``purchaseState`` and ``consumptionState``.

``Purchase.purchase_state`` and ``Purchase.consumption_state`` return these members; a
value the vendor has not documented is returned as a plain ``int`` instead of failing.
"""

from enum import IntEnum

__all__ = ["ConsumptionState", "PurchaseState"]


class PurchaseState(IntEnum):
    """Whether a purchase is paid. Only ``PAID`` may be granted."""

    # generated: purchase states (by `cargo xtask codegen` from the core's table; do not edit)
    UNPAID = 0
    """Not paid (yet)."""
    PAID = 1
    """Paid: the product may be granted (the grant check tells)."""
    FAILED = 2
    """The payment failed."""
    # /generated: purchase states


class ConsumptionState(IntEnum):
    """Whether a purchase has been consumed (acknowledged by the game's backend)."""

    # generated: consumption states (by `cargo xtask codegen` from the core's table; do not edit)
    NOT_CONSUMED = 0
    """Not consumed yet."""
    CONSUMED = 1
    """Consumed: it must not be granted again."""
    # /generated: consumption states
