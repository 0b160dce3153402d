"""Pages for partners' benefit: the demo messenger showing the Report Abuse button (not in production)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .button import sign_context
from .models import Partner

DEMO_PARTNER = {"slug": "chatterbox", "name": "ChatterBox (demo)", "platforms": ["ChatterBox messenger"]}


def demo_messenger(request: HttpRequest) -> HttpResponse:
    """A fictional messenger with the button embedded, as a partner would do it. Development only."""
    if settings.IS_PRODUCTION:
        raise Http404
    partner, _ = Partner.objects.get_or_create(
        slug=DEMO_PARTNER["slug"], defaults={"name": DEMO_PARTNER["name"], "platforms": DEMO_PARTNER["platforms"]}
    )
    # In a real app the partner's server signs this when it renders the conversation.
    token = sign_context(
        partner,
        {
            "platform": "ChatterBox messenger",
            "reported_account_id": "cb-user-40417",
            "reported_display_name": "Skater_Sam_14",
            "content_reference": "conversation/7731/message/9902",
            "reporter_account_id": "cb-user-11802",
        },
        ttl=3600,
    )
    report_url = f"{reverse('reporting:start')}?ctx={token}"
    return render(request, "partners/demo_messenger.html", {"report_url": report_url, "partner": partner})
