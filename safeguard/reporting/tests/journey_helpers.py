"""Walk the public journey with the Django test client, one page at a time, as a person would."""

from django.urls import reverse

ANSWERS = {
    "about-you": {"role": "parent_carer"},
    "age": {"age_answer": "given", "age": "13"},
    "danger": {"danger_now": "no"},
    "what-happened": {"categories": ["keep_secret", "asked_for_images"]},
    "where": {"platform_name": "Blocktopia Chat", "environment": "online_game"},
    "who": {
        "subject_identifiers": "@starry_fox_99\nhttps://blocktopia.example/u/starry_fox_99",
        "subject_claimed_age": "15",
    },
    "when": {"day": "3", "month": "2", "year": "2026"},
    "your-words": {"account": "They asked my child to keep the chat secret and asked for photos."},
    "contact": {"wants_contact": "no"},
}


def step_url(slug: str, change: bool = False) -> str:
    url = reverse("reporting:step", args=[slug])
    return url + "?change=1" if change else url


def answer_all(client, **overrides) -> None:
    """Answer every question up to check-your-answers. `overrides` replaces a step's answer.

    Contact details are asked only after "yes" to contact: pass `contact={"wants_contact": "yes"}` and
    `contact_details={...}` together. A professional also gets "your organisation" (optional; pass
    `your_organisation={...}`, else it is sent empty).
    """
    for slug, data in ANSWERS.items():
        if slug == "danger" and overrides.get("about_you", ANSWERS["about-you"])["role"] == "professional":
            response = client.post(step_url("your-organisation"), overrides.get("your_organisation", {}))
            assert response.status_code == 302, response.content.decode()[:3000]
        if slug == "contact":
            response = client.post(reverse("reporting:screenshots"), {"action": "continue"})
            assert response.status_code == 302, response.content.decode()[:2000]
        data = overrides.get(slug.replace("-", "_"), data)
        response = client.post(step_url(slug), data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    if "contact_details" in overrides:
        response = client.post(step_url("contact-details"), overrides["contact_details"])
        assert response.status_code == 302, response.content.decode()[:3000]


def submit(client, **extra):
    return client.post(reverse("reporting:check_answers"), {"website": "", **extra})
