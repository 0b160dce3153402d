"""Atom feed of new postings and status changes. A located person's entries lose their details at once;
withdrawn records leave the feed entirely."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors
from .models import WantedEvent, WantedStatus

FOUND_TITLE = "A person on the Most Wanted list has been found"
FOUND_TEXT = "This person has been located. Their details have been removed from this website. Thank you for your help."


class WantedFeed(Feed):
    feed_type = Atom1Feed
    title = "Most Wanted"
    subtitle = "People wanted for failing to comply with notification requirements, and when they are found."

    def link(self):
        return reverse("wanted:list")

    def items(self):
        return selectors.feed_events()

    def item_title(self, event: WantedEvent) -> str:
        person = event.person
        if person.status != WantedStatus.PUBLISHED:
            return FOUND_TITLE
        return f"Wanted: {person.full_name}"

    def item_description(self, event: WantedEvent) -> str:
        person = event.person
        if person.status != WantedStatus.PUBLISHED:
            return FOUND_TEXT
        return (
            f"{person.full_name} is wanted for failing to comply with notification requirements. "
            f"Last known area: {person.last_known_area}. {person.offences} "
            "Do not approach them. If you see them now, call 999."
        )

    def item_link(self, event: WantedEvent) -> str:
        return reverse("wanted:person", args=[event.person.public_id])

    def item_guid(self, event: WantedEvent) -> str:
        return f"{self.item_link(event)}#event-{event.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, event: WantedEvent):
        return event.at

    def item_updateddate(self, event: WantedEvent):
        return event.person.updated_at
