"""What the public journey says, adapted to who is reporting.

A young person under 18 gets plain words at a reading age of about 9 to 11: short words, short
sentences, "you" and "they". Everyone else gets the standard wording, with small changes where
a parent or a professional is usually telling us about someone else's child.

Templates read this through `Wording`: `{{ w.danger_question }}`.
"""

from .models import Category, Environment, ReporterRole

YOUNG = ReporterRole.YOUNG_PERSON
PARENT = ReporterRole.PARENT_CARER
PROFESSIONAL = ReporterRole.PROFESSIONAL
OTHER = ReporterRole.OTHER_ADULT

# Each entry: the standard text under "default", and any role that needs different words.
TEXT: dict[str, dict[str, str]] = {
    "service_caption": {"default": "Report abuse", YOUNG: "Tell us what happened"},
    # About you
    "role_question": {"default": "Which of these best describes you?"},
    "role_hint": {
        "default": "We ask so that we can use words that make sense to you. You do not have to tell us who you are."
    },
    # Age (the victim-age factor of triage reads it: safeguard.reporting.public_answers.child_age)
    "age_question": {"default": "How old is the child?", YOUNG: "How old are you?"},
    "age_hint": {
        "default": "If there is more than one child, tell us about the youngest.",
        YOUNG: "Knowing your age helps us help you. You do not have to tell us.",
    },
    "age_given": {"default": "Enter age"},
    "age_label": {"default": "Age of the child, in years", YOUNG: "Your age, in years"},
    "age_not_sure": {"default": "Not sure"},
    "age_rather_not_say": {"default": "I'd rather not say"},
    "age_summary": {"default": "Age of the child", YOUNG: "Your age"},
    "age_choose": {
        "default": "Enter the child's age, or select 'Not sure' or 'I'd rather not say'",
        YOUNG: "Enter your age, or select 'I'd rather not say'",
    },
    "age_missing": {"default": "Enter the child's age", YOUNG: "Enter your age"},
    "age_not_a_number": {
        "default": "Enter the child's age as a number, like 9",
        YOUNG: "Enter your age as a number, like 13",
    },
    # A child is 0 to 17. A young person who is 18 or over is told gently that they can still report, as an adult.
    "age_too_old": {
        "default": "The child's age must be 17 or under. This service is for children under 18",
        YOUNG: "You can still report if you are 18 or over. Choose 'I am another adult' on the 'About you' page",
    },
    "age_adult_help": {
        "default": "",
        YOUNG: "We have kept your answers so far. If you made a typing mistake, change the age and continue.",
    },
    "age_adult_link": {"default": "", YOUNG: "Change 'About you' to 'I am another adult'"},
    # Your organisation (professionals only)
    "organisation_question": {"default": "About your organisation (optional)"},
    "organisation_hint": {
        "default": "This helps us work with the people who already know the child. You can leave any of these blank."
    },
    "organisation_label": {"default": "Your organisation"},
    "organisation_role_label": {"default": "Your role"},
    "organisation_role_hint": {"default": "For example, class teacher, school nurse or youth worker."},
    "child_setting_label": {"default": "The child's school or setting"},
    "actions_legend": {"default": "What has been done already?"},
    "actions_hint": {"default": "Select all that apply."},
    "actions_other_label": {"default": "What else has been done"},
    "organisation_summary": {"default": "Your organisation"},
    # Danger now
    "danger_question": {
        "default": "Is a child in danger right now?",
        YOUNG: "Are you or someone else in danger right now?",
    },
    "danger_hint": {
        "default": "For example, they are about to meet the person, or they are being hurt or threatened now.",
        YOUNG: "For example, you are going to meet the person soon, or someone is hurting you now.",
    },
    "danger_yes": {"default": "Yes"},
    "danger_no": {"default": "No"},
    "danger_not_sure": {"default": "I'm not sure"},
    "call_999_title": {"default": "Call 999 now", YOUNG: "Call 999 now"},
    "call_999_body": {
        "default": "If a child is in danger right now, call 999 and ask for the police. "
        "They can get to the child much faster than we can.",
        YOUNG: "Call 999 and ask for the police. They can help you now. It is free to call.",
    },
    "call_999_after": {
        "default": "When the child is safe, you can carry on with this report. We will treat it as urgent.",
        YOUNG: "When you are safe, you can carry on and tell us what happened. We will look at it first.",
    },
    "call_999_reminder": {
        "default": "If the child is still in danger, call 999 now. Do not wait for us to read this report.",
        YOUNG: "If you are still in danger, call 999 now. Do not wait for us to read this.",
    },
    # What happened (categories)
    "categories_question": {
        "default": "What happened?",
        PARENT: "What happened to your child?",
        YOUNG: "Has someone online made you feel worried or uncomfortable? What did they do?",
    },
    "categories_hint": {"default": "Select all that apply.", YOUNG: "Tick all the things that happened."},
    "other_detail_label": {"default": "Tell us what else happened", YOUNG: "What else did they do?"},
    # Where
    "where_question": {"default": "Where did it happen online?", YOUNG: "Where did it happen online?"},
    "platform_label": {"default": "Name of the app or website", YOUNG: "Name of the app, game or website"},
    "platform_hint": {
        "default": "For example, the name of the game, chat app or social network.",
        YOUNG: "For example, the game or chat app you were using.",
    },
    "environment_legend": {"default": "What kind of place was it?", YOUNG: "What kind of place was it?"},
    # Who
    "who_question": {
        "default": "What do you know about the person?",
        YOUNG: "What do you know about the person?",
    },
    "identifiers_label": {
        "default": "Their username, profile link or anything else that identifies them",
        YOUNG: "Their username, or a link to their page",
    },
    "identifiers_hint": {
        "default": "Copy it exactly if you can, for example @name or a web address. Leave it blank if you do not know.",
        YOUNG: "Copy it exactly if you can. It is OK if you do not know.",
    },
    "claimed_age_label": {
        "default": "How old did they say they were? (optional)",
        YOUNG: "How old did they say they were? (optional)",
    },
    # When
    "when_question": {"default": "When did it happen?", YOUNG: "When did it happen?"},
    "when_hint": {
        "default": "If it happened over a period of time, give the most recent date. For example, 27 3 2026",
        YOUNG: "If it happened more than once, give the last date. For example, 27 3 2026",
    },
    "when_not_sure": {"default": "I'm not sure of the date", YOUNG: "I don't know the date"},
    "when_description_label": {
        "default": "Tell us roughly when it happened",
        YOUNG: "Roughly when was it?",
    },
    "when_description_hint": {
        "default": "For example, last summer or over the past few weeks",
        YOUNG: "For example, last week or in the summer holidays",
    },
    # Account
    "account_question": {
        "default": "Tell us what happened in your own words",
        YOUNG: "Tell us what happened in your own words",
    },
    "account_hint": {
        "default": "Include what was said or done, and anything else you think we should know. "
        "Do not include anyone's passwords.",
        YOUNG: "Tell us what they said and did. Write as much or as little as you like.",
    },
    # Screenshots
    "screenshots_question": {"default": "Add screenshots (optional)", YOUNG: "Add screenshots (you don't have to)"},
    "screenshots_hint": {
        "default": "Screenshots of messages or profiles help us act faster. "
        "You can add up to {max_files} files: pictures (JPG, PNG, GIF or WebP) or PDFs, each smaller than {max_size}.",
        YOUNG: "A screenshot of the chat or their page helps us. "
        "You can add up to {max_files}. Each one must be smaller than {max_size}.",
    },
    "screenshots_warning": {
        "default": "Do not send us sexual pictures or videos of a child, even as evidence. "
        "Tell us about them in your own words instead.",
        YOUNG: "Do not send us nude or sexual pictures, even of yourself. Just tell us about them.",
    },
    # Contact
    "contact_question": {
        "default": "Do you want us to contact you?",
        YOUNG: "Do you want us to get in touch with you?",
    },
    "contact_hint": {
        "default": "You can report without giving your name or any contact details. "
        "If you do, we may contact you to ask about the report.",
        YOUNG: "You don't have to tell us who you are. If you do, we might get in touch to check you are OK.",
    },
    "contact_details_question": {"default": "How can we contact you?", YOUNG: "How can we get in touch with you?"},
    "contact_details_hint": {
        "default": "Give us an email address or a phone number, or both. "
        "Only give details that are safe for us to use: think about who else reads your email or answers your phone.",
        YOUNG: "Give us an email or a phone number. Only give one that is safe for us to use.",
    },
    "contact_consent_label": {
        "default": "I agree that Safeguard can contact me about this report",
        YOUNG: "It is OK for Safeguard to get in touch with me",
    },
    # Check answers and confirmation
    "check_title": {"default": "Check your answers before sending your report", YOUNG: "Check your answers"},
    "submit_text": {
        "default": "By sending this report you confirm that, to the best of your knowledge, "
        "what you have told us is true.",
        YOUNG: "Check it is right, then send it to us.",
    },
    "confirmation_title": {"default": "Report sent", YOUNG: "Thank you for telling us"},
    "confirmation_thanks": {
        "default": "Thank you for your report.",
        YOUNG: "You have done the right thing by telling us. What happened is not your fault.",
    },
    "confirmation_next": {
        "default": "A member of our team will look at your report. If a child is in danger, "
        "we pass the report to the police straight away.",
        YOUNG: "Someone from our team will read it. If you are in danger, we will tell the police straight away.",
    },
}

ROLE_LABELS: dict[str, str] = {
    YOUNG: "I am a young person under 18",
    PARENT: "I am a parent or carer",
    PROFESSIONAL: "I am a professional reporting as part of my job",
    OTHER: "I am another adult",
}
ROLE_HINTS: dict[str, str] = {
    YOUNG: "Something happened to me or a friend.",
    PARENT: "I am worried about a child I look after.",
    PROFESSIONAL: "For example, a teacher, youth worker, nurse or social worker.",
    OTHER: "For example, a relative, neighbour or someone who saw something online.",
}

# The standard labels are the model's; a young person's keep the same words and add "me".
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    Category.KEEP_SECRET: {
        "default": "Asked to keep it secret",
        YOUNG: "Asked to keep it secret, or not to tell anyone",
    },
    Category.MEET_UP: {"default": "Asked to meet up", YOUNG: "Asked to meet up in real life"},
    Category.ASKED_FOR_IMAGES: {"default": "Asked for pictures or video", YOUNG: "Asked for pictures or videos of me"},
    Category.THREATENED_TO_SHARE: {
        "default": "Threatened to share pictures unless the child did something",
        YOUNG: "Threatened to share pictures of me unless I did something",
    },
    Category.SENT_SEXUAL_CONTENT: {
        "default": "Sent sexual messages or pictures",
        YOUNG: "Sent sexual messages or pictures to me",
    },
    Category.SOMETHING_ELSE: {"default": "Something else"},
}

# Young people get everyday names: "messaging app", not "instant messaging".
ENVIRONMENT_LABELS: dict[str, dict[str, str]] = {
    Environment.CHAT_ROOM: {"default": "Chat room"},
    Environment.INSTANT_MESSAGING: {"default": "Instant messaging", YOUNG: "Messaging app"},
    Environment.ONLINE_GAME: {"default": "Online game"},
    Environment.SOCIAL_NETWORK: {"default": "Social network", YOUNG: "Social media"},
    Environment.VIDEO_CHAT: {"default": "Video chat", YOUNG: "Video call"},
    Environment.EMAIL: {"default": "Email"},
    Environment.OTHER: {"default": "Other", YOUNG: "Somewhere else"},
}

ENVIRONMENT_HINTS: dict[str, str] = {
    Environment.INSTANT_MESSAGING: "For example, a chat app on a phone",
    Environment.SOCIAL_NETWORK: "A site or app where people post and follow each other",
}


class Wording:
    """The journey's text for one reporter role. Unknown keys fail loudly rather than show nothing."""

    def __init__(self, role: str | None):
        self.role = role or ""

    @property
    def is_young(self) -> bool:
        """A young person under 18: pages speak to them ("if you are in danger"), not about "a child"."""
        return self.role == YOUNG

    def __getitem__(self, key: str) -> str:
        variants = TEXT[key]
        return variants.get(self.role, variants["default"])

    def category_label(self, value: str) -> str:
        variants = CATEGORY_LABELS.get(value, {"default": value})
        return variants.get(self.role, variants["default"])

    def environment_label(self, value: str) -> str:
        variants = ENVIRONMENT_LABELS.get(value, {"default": value})
        return variants.get(self.role, variants["default"])


def role_label(value: str) -> str:
    return ROLE_LABELS.get(value, value)
