"""``python -m tests.sso_provider.bootstrap``: the provider's database, its
people and the Storyline client.

Environment (besides settings.py's): SSO_PROVIDER_PEOPLE, JSON
``[{"username", "password", "email", "groups": [...]}]``; SSO_CLIENT_ID,
SSO_CLIENT_SECRET, SSO_REDIRECT_URI, SSO_POST_LOGOUT_URI.
"""

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso_provider.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for person in json.loads(os.environ["SSO_PROVIDER_PEOPLE"]):
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="Storyline",
        client_id=os.environ["SSO_CLIENT_ID"],
        client_secret=os.environ["SSO_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["SSO_REDIRECT_URI"],
        post_logout_redirect_uris=os.environ["SSO_POST_LOGOUT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )


if __name__ == "__main__":
    main()
