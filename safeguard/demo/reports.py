"""Twenty synthetic reports. Fictional platforms and people; incidents described at guidance level only."""

from datetime import timedelta

from safeguard.reporting.models import Category as C
from safeguard.reporting.models import Environment as E
from safeguard.reporting.models import ReporterRole as R
from safeguard.reporting.models import Source

# (key, hours ago, source, fields)
DEMO_REPORTS = [
    (
        "demo-01",
        0.5,
        Source.PUBLIC_WEB,
        dict(
            child_in_danger_now=True,
            categories=[C.MEET_UP, C.KEEP_SECRET],
            platform_name="ChatterBox",
            environment=E.INSTANT_MESSAGING,
            reporter_role=R.PARENT_CARER,
            subject_identifiers="ChatterBox user: skyrunner_77",
            subject_claimed_age="16",
            incident_when_description="This evening",
            account=(
                "My daughter says someone she met online has proposed meeting offline tonight "
                "and asked her to keep the chat secret."
            ),
        ),
    ),
    (
        "demo-02",
        2,
        Source.PUBLIC_WEB,
        dict(
            child_in_danger_now=True,
            categories=[C.THREATENED_TO_SHARE],
            platform_name="PixelQuest",
            environment=E.ONLINE_GAME,
            reporter_role=R.YOUNG_PERSON,
            subject_identifiers="PixelQuest player: nightowl_fox",
            account="Someone I play with is threatening to share pictures unless I do what they say. I am scared.",
        ),
    ),
    (
        "demo-03",
        26,
        Source.PARTNER_API,
        dict(
            child_in_danger_now=True,
            categories=[C.ASKED_FOR_IMAGES],
            platform_name="SnapTale",
            environment=E.SOCIAL_NETWORK,
            subject_identifiers="SnapTale account id 4410-2291",
            account="Partner report: an adult account repeatedly asked a young user for photos.",
            details={"partner": "SnapTale Trust & Safety (demo)"},
        ),
    ),
    (
        "demo-04",
        5,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.MEET_UP],
            platform_name="ChatterBox",
            environment=E.CHAT_ROOM,
            reporter_role=R.PROFESSIONAL,
            subject_identifiers="ChatterBox room 'Homework Help', user quietriver",
            subject_claimed_age="15",
            account="A pupil told me an older user in a chat room proposed meeting offline after school.",
        ),
    ),
    (
        "demo-05",
        9,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.THREATENED_TO_SHARE, C.ASKED_FOR_IMAGES],
            platform_name="LoopLine",
            environment=E.VIDEO_CHAT,
            reporter_role=R.YOUNG_PERSON,
            account="They asked for photos and now say they will share them with my friends.",
        ),
    ),
    (
        "demo-06",
        30,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.ASKED_FOR_IMAGES],
            platform_name="PixelQuest",
            environment=E.ONLINE_GAME,
            reporter_role=R.PARENT_CARER,
            subject_identifiers="PixelQuest player: blockbuilder_99",
            account="A player offered in-game coins to my son in return for photos.",
        ),
    ),
    (
        "demo-07",
        50,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.KEEP_SECRET],
            platform_name="Whisperly",
            environment=E.INSTANT_MESSAGING,
            reporter_role=R.OTHER_ADULT,
            account="I saw messages where an adult told my niece to keep their chats secret from her parents.",
        ),
    ),
    (
        "demo-08",
        3,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.SENT_SEXUAL_CONTENT],
            platform_name="ChatterBox",
            environment=E.INSTANT_MESSAGING,
            reporter_role=R.YOUNG_PERSON,
            account="Someone I don't know sent me messages that made me uncomfortable.",
        ),
    ),
    (
        "demo-09",
        72,
        Source.REFERRAL,
        dict(
            categories=[C.MEET_UP, C.KEEP_SECRET],
            platform_name="TrailTalk",
            environment=E.SOCIAL_NETWORK,
            account="International referral: account suspected of proposing meetings with young users.",
            details={"referred_by": "Demo partner agency"},
        ),
    ),
    (
        "demo-10",
        12,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.SOMETHING_ELSE],
            other_category_detail="Kept adding my child to group chats",
            platform_name="Huddle",
            environment=E.INSTANT_MESSAGING,
            reporter_role=R.PARENT_CARER,
            account="An adult keeps adding my child to group chats with strangers.",
        ),
    ),
    (
        "demo-11",
        100,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.ASKED_FOR_IMAGES, C.KEEP_SECRET],
            platform_name="SnapTale",
            environment=E.SOCIAL_NETWORK,
            reporter_role=R.YOUNG_PERSON,
            subject_claimed_age="17",
            account="They said they were 17 and asked for photos and to keep it between us.",
        ),
    ),
    (
        "demo-12",
        7,
        Source.PARTNER_API,
        dict(
            categories=[C.THREATENED_TO_SHARE],
            platform_name="LoopLine",
            environment=E.VIDEO_CHAT,
            account="Partner report: a user threatened to share recordings unless paid.",
            details={"partner": "LoopLine Safety (demo)"},
        ),
    ),
    (
        "demo-13",
        200,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.SOMETHING_ELSE],
            other_category_detail="Lots of friend requests from one account",
            platform_name="PixelQuest",
            environment=E.ONLINE_GAME,
            reporter_role=R.OTHER_ADULT,
            account="One account keeps sending friend requests to many young players.",
        ),
    ),
    (
        "demo-14",
        1,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.MEET_UP],
            platform_name="Whisperly",
            environment=E.INSTANT_MESSAGING,
            reporter_role=R.YOUNG_PERSON,
            subject_claimed_age="14",
            account="Someone wants to meet me at the park this weekend and said not to tell anyone.",
        ),
    ),
    (
        "demo-15",
        48,
        Source.SIGHTING,
        dict(
            categories=[C.SOMETHING_ELSE],
            other_category_detail="Possible sighting",
            platform_name="TrailTalk",
            environment=E.SOCIAL_NETWORK,
            account="I think I saw a profile matching a wanted person's description.",
        ),
    ),
    (
        "demo-16",
        20,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.SENT_SEXUAL_CONTENT, C.KEEP_SECRET],
            platform_name="Huddle",
            environment=E.EMAIL,
            reporter_role=R.PROFESSIONAL,
            account="A pupil received inappropriate messages and was told to keep them secret.",
        ),
    ),
    (
        "demo-17",
        150,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.ASKED_FOR_IMAGES],
            platform_name="ChatterBox",
            environment=E.CHAT_ROOM,
            reporter_role=R.YOUNG_PERSON,
            account="A person in a chat room asked me for photos.",
        ),
    ),
    (
        "demo-18",
        36,
        Source.PUBLIC_WEB,
        dict(
            categories=[],
            platform_name="",
            environment=E.OTHER,
            reporter_role=R.OTHER_ADULT,
            account="Something about an online conversation worried me and I wanted to tell someone.",
        ),
    ),
    (
        "demo-19",
        4,
        Source.PARTNER_API,
        dict(
            categories=[C.MEET_UP],
            platform_name="PixelQuest",
            environment=E.ONLINE_GAME,
            account="Partner report: a user proposed meeting offline with a young player.",
            details={"partner": "PixelQuest Safety (demo)"},
        ),
    ),
    (
        "demo-20",
        60,
        Source.PUBLIC_WEB,
        dict(
            categories=[C.KEEP_SECRET, C.ASKED_FOR_IMAGES],
            platform_name="SnapTale",
            environment=E.SOCIAL_NETWORK,
            reporter_role=R.PARENT_CARER,
            account="An account asked my son for photos and to keep the chat secret.",
        ),
    ),
]


def age(hours: float) -> timedelta:
    return timedelta(hours=hours)
