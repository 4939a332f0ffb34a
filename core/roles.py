"""The staff groups and what each may do.

- Program managers run the program: everything in Storyline's apps.
- Sales reps read stories and customers (the sales portal builds on this).
- Internal reviewers (product, marketing, legal colleagues) read drafts and
  their evidence, comment on sections and sign versions off.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PROGRAM_MANAGERS = "Program managers"
SALES = "Sales"
INTERNAL_REVIEWERS = "Internal reviewers"

STORYLINE_APPS = (
    "core",
    "casestudies",
    "recruitment",
    "interviews",
    "approvals",
    "distribution",
    "analytics",
    "integrations",
)


# Program managers never delete records with history (they archive or decline);
# the evidence they may remove while a story is still a draft is listed here.
MANAGER_DELETABLE = {"delete_metric", "delete_quote", "delete_portfoliotarget"}
# Sales read stories and what backs them, not the program's internals nor
# other people's personal data (prospects' leads, mailing lists, reviewers'
# addresses and browsers in the approval evidence).
SALES_HIDDEN_MODELS = {
    "auditentry",
    "statechange",
    "lead",
    "recipient",
    "suppression",
    "campaigndelivery",
    "reviewlink",
    "decision",
    "reminderlog",
    "approvaldigest",
    "reportdispatch",
    "importjob",
    # Webhook endpoints carry signing secrets and the events' personal data.
    "webhookendpoint",
    "webhookevent",
    "webhookdelivery",
    "deliveryattempt",
    "integrationtoken",
    # The customer's written confirmation of an approval given outside Storyline.
    "outsideapproval",
    # Staff's identities at the single sign-on provider.
    "ssoidentity",
}
# Anyone on staff nominates a customer for a case study (selection).
SALES_EXTRA_PERMISSIONS = {"add_nomination"}
# Internal reviewers read what they review and write their comments and sign-offs.
REVIEWER_PERMISSIONS = {
    ("casestudies", "view_casestudy"),
    ("casestudies", "view_storyversion"),
    ("casestudies", "view_metric"),
    ("casestudies", "view_quote"),
    ("casestudies", "view_customer"),
    ("casestudies", "view_internalsignoff"),
    ("casestudies", "add_internalsignoff"),
    ("casestudies", "view_internalreviewcomment"),
    ("casestudies", "add_internalreviewcomment"),
    # Our legal/marketing decide their approval step on the request's page.
    ("approvals", "view_approvalrequest"),
}


def ensure_groups() -> None:
    storyline = Permission.objects.filter(content_type__app_label__in=STORYLINE_APPS)
    managers, _ = Group.objects.get_or_create(name=PROGRAM_MANAGERS)
    managers.permissions.set(
        [
            *storyline.exclude(codename__startswith="delete_"),
            *storyline.filter(codename__in=MANAGER_DELETABLE),
            # To pick a story's owner or a customer's account owner.
            *Permission.objects.filter(content_type__app_label="auth", codename="view_user"),
        ]
    )
    sales, _ = Group.objects.get_or_create(name=SALES)
    sales.permissions.set(
        [
            *storyline.filter(codename__startswith="view_").exclude(
                content_type__model__in=SALES_HIDDEN_MODELS
            ),
            *storyline.filter(codename__in=SALES_EXTRA_PERMISSIONS),
        ]
    )

    reviewers, _ = Group.objects.get_or_create(name=INTERNAL_REVIEWERS)
    reviewer_permissions = Q()
    for app_label, codename in REVIEWER_PERMISSIONS:
        reviewer_permissions |= Q(content_type__app_label=app_label, codename=codename)
    reviewers.permissions.set(Permission.objects.filter(reviewer_permissions))


def ensure_groups_after_migrate(**kwargs) -> None:
    ensure_groups()


def in_group(user, *names: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=names).exists()
