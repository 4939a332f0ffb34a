from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from core.roles import PROGRAM_MANAGERS, ensure_groups


class Command(BaseCommand):
    help = "Create (or reset) the demo program manager login. Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create a demo login with a known password while DEBUG is off."
            )
        ensure_groups()
        login = settings.STORYLINE["DEMO_LOGIN"]
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=login["username"],
            defaults={
                "first_name": "Demo",
                "last_name": "Manager",
                "email": "demo@storyline.example",
            },
        )
        user.is_staff = True
        user.is_active = True
        user.set_password(login["password"])
        user.save()
        user.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
        url = f"{settings.SITE_URL}/admin/"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login (program manager): {login['username']} / {login['password']}  →  {url}"
            )
        )
