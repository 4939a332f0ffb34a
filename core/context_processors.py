from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}


def branding(request):
    from distribution.models import Branding

    return {"branding": Branding.current()}
