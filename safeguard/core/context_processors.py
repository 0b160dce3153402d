from django.conf import settings


def service(request):
    return {
        "service_name": "Safeguard",
        "exit_url": "/exit",
        "is_production": settings.IS_PRODUCTION,
    }
