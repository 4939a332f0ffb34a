"""Who approves a story: the kinds of approval step, the customer's side of
the chain in the guide's order. No models here, so earlier stages
(recruitment, which captures the chain up front) can name the roles without
importing the approval models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StepKind(models.TextChoices):
    # The customer's side, in the order the guide lists them.
    PARTICIPANT = "participant", _("interview participant")
    DEPARTMENT_LEADER = "department_leader", _("department leader")
    CUSTOMER_LEGAL = "customer_legal", _("customer legal")
    CUSTOMER_PR = "customer_pr", _("customer PR / communications")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("executive sponsor")
    # Our side.
    INTERNAL_LEGAL = "internal_legal", _("our legal team")
    INTERNAL_MARKETING = "internal_marketing", _("our marketing team")

    @property
    def is_customer(self) -> bool:
        return self in CUSTOMER_STEP_KINDS


CUSTOMER_STEP_KINDS = frozenset(
    {
        StepKind.PARTICIPANT,
        StepKind.DEPARTMENT_LEADER,
        StepKind.CUSTOMER_LEGAL,
        StepKind.CUSTOMER_PR,
        StepKind.EXECUTIVE_SPONSOR,
    }
)


# The customer's approval chain, in the guide's order.
CHAIN_ROLES = [kind for kind in StepKind if kind in CUSTOMER_STEP_KINDS]
CHAIN_ROLE_CHOICES = [(kind.value, kind.label) for kind in CHAIN_ROLES]
