"""The story API's old tokens (Django REST framework's ``authtoken``) were
stored in clear and listed in the admin. Each becomes an integration token
stored as its SHA-256 with the scope it had (read stories), for a year, so
the integrations using it keep working; the clear copy is deleted."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def forward(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    IntegrationToken = apps.get_model("integrations", "IntegrationToken")
    expires = timezone.now() + timedelta(days=365)
    for old in Token.objects.all():
        IntegrationToken.objects.get_or_create(
            token_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            defaults={
                "name": "Story API token (moved from the old token list)",
                "prefix": old.key[:8],
                "scopes": ["stories:read"],
                "user_id": old.user_id,
                "expires_at": expires,
            },
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_integration_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
