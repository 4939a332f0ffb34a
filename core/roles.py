"""The staff groups and what each may do.

- Program managers run the program: everything in Storyline's apps.
- Sales reps read stories and customers (the sales portal builds on this).
"""

from django.contrib.auth.models import Group, Permission

PROGRAM_MANAGERS = "Program managers"
SALES = "Sales"

STORYLINE_APPS = (
    "core",
    "casestudies",
    "recruitment",
    "interviews",
    "approvals",
    "distribution",
    "analytics",
)


def ensure_groups() -> None:
    managers, _ = Group.objects.get_or_create(name=PROGRAM_MANAGERS)
    managers.permissions.set(
        Permission.objects.filter(content_type__app_label__in=STORYLINE_APPS).exclude(
            codename__startswith="delete_"
        )
    )
    sales, _ = Group.objects.get_or_create(name=SALES)
    sales.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=STORYLINE_APPS, codename__startswith="view_"
        )
    )


def ensure_groups_after_migrate(**kwargs) -> None:
    ensure_groups()


def in_group(user, *names: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=names).exists()
