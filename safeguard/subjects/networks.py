"""Candidate networks: subjects connected through shared victims, rooms, files or identifiers.

Edges come from ReportIdentifier rows with the same key on reports of different subjects. Strong subject
identifiers never form edges between *live* subjects (they merge them instead); what is left is victims,
rooms, files and weak identifiers. Connected groups at or above a size threshold are candidate networks.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.reporting import partner_payload

from .models import ReportIdentifier, ReportSubject

DEFAULT_MIN_SIZE = 3


@dataclass
class Network:
    subject_ids: list[int]
    links: dict[str, int] = field(default_factory=dict)  # "shared victim" -> count of shared items
    victims: int = 0
    platforms: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    report_count: int = 0


_LINK_LABELS = {"victim": "shared victims", "room": "shared groups or rooms", "file": "shared files"}


def _find(parent: dict, x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def candidate_networks(*, user, min_size: int = DEFAULT_MIN_SIZE) -> list[Network]:
    check_capability(user, Capability.VIEW_REPORT)
    shared_keys = (
        ReportIdentifier.objects.filter(report__subject_link__isnull=False)
        .exclude(key="")
        .values("key")
        .annotate(subjects=Count("report__subject_link__subject", distinct=True))
        .filter(subjects__gte=2)
        .values_list("key", flat=True)
    )
    rows = ReportIdentifier.objects.filter(key__in=shared_keys).values_list(
        "key", "role", "report__subject_link__subject_id"
    )
    by_key: dict[str, tuple[str, set[int]]] = {}
    for key, role, subject_id in rows:
        by_key.setdefault(key, (role, set()))[1].add(subject_id)
    parent: dict[int, int] = {}
    for _role, subjects in by_key.values():
        ordered = sorted(subjects)
        for s in ordered:
            parent.setdefault(s, s)
        for s in ordered[1:]:
            parent[_find(parent, s)] = _find(parent, ordered[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for s in parent:
        groups[_find(parent, s)].append(s)
    networks = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        member_set = set(members)
        network = Network(subject_ids=sorted(members))
        for role, subjects in by_key.values():
            if subjects <= member_set:
                label = _LINK_LABELS.get(role, "shared identifiers")
                network.links[label] = network.links.get(label, 0) + 1
        network.victims = len(
            set(
                ReportIdentifier.objects.filter(role="victim", report__subject_link__subject__in=members).values_list(
                    "key", flat=True
                )
            )
        )
        links = ReportSubject.objects.filter(subject__in=members).select_related("report")
        reports = [link.report for link in links]
        network.report_count = len(reports)
        network.platforms = sorted({r.platform_name for r in reports if r.platform_name})
        countries = set()
        for r in reports:
            code = partner_payload.estimated_country(r.details)
            if code:
                countries.add(code)
        network.countries = sorted(countries)
        networks.append(network)
    networks.sort(key=lambda n: (-len(n.subject_ids), n.subject_ids))
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("subjects.networks", ""),
        detail={"view": "candidate_networks", "min_size": min_size, "networks": [n.subject_ids for n in networks]},
    )
    return networks
