"""The text-signal reader (ADR 0098): each signal, its negations and quoted advice, ages, a centre's patterns.

All texts are synthetic and at the level of safeguarding guidance.
"""

import json
import time

import pytest

from safeguard.triage import signals
from safeguard.triage.signals import SIGNAL_NAMES, TextSignals, pattern_files, read_many, read_signals

POSITIVE = [
    # image_request
    ("image_request", "he asked me for pictures in a game chat"),
    ("image_request", "send me a pic"),
    ("image_request", "he wants pics"),
    ("image_request", "snap me a photo"),
    ("image_request", "he keeps asking for piccies"),
    ("image_request", "send me a vid pls"),
    ("image_request", "wants pix of me"),
    ("image_request", "he asked for a selfie in my pj's"),
    ("image_request", "show me on camera"),
    ("image_request", "he kept askin me 4 pics"),
    ("image_request", "sned me a pixture"),
    ("image_request", "he asked for picturs"),
    ("image_request", "this guy keeps begging me to send him nudes"),
    ("image_request", "he said turn ur camera on"),
    ("image_request", "an adult paying a 13-year-old in game currency for photos"),
    ("image_request", "she kept telling me to send photos of myself"),
    ("image_request", "he said prove ur real by sending a selfie"),
    ("image_request", "he asked if i wanna see his pics"),
    ("image_request", "a man sent my son rude videos"),
    ("image_request", "he sent her inappropriate pictures on snap"),
    ("image_request", "theres a pic swap group chat at school"),
    ("image_request", "he says all girlfriends send pics"),
    ("image_request", "a viewer told her to do a spin for the camera"),
    ("image_request", "he asked my daughter to pose for him"),
    ("image_request", "he wanted her to put on a different outfit on cam"),
    ("image_request", "he keeps asking for a vid in another outfit"),
    ("image_request", "he told her to move the camera down"),
    ("image_request", "a viewer asked her to show him her bedroom"),
    ("image_request", "asked me for some 'bikini modelling' pics"),
    ("image_request", "he sent her a photo of himself undressed"),
    ("image_request", "he keeps asking her sexualised questions"),
    ("image_request", "he sent my son sexual messages"),
    ("image_request", "he wanted to know what she was wearing"),
    ("image_request", "he kept commenting about her body"),
    ("image_request", "he messaged 'send a selfie' over and over"),
    ("image_request", "an account was pressuring young girls to share pictures"),
    ("image_request", "he keeps asking to see her body"),
    ("image_request", "he said take ur top off"),
    ("image_request", "he asked her to get naked on video"),
    ("image_request", "he kept begging for n00dz"),
    ("image_request", "someone keeps asking for foot pics"),
    ("image_request", "the account was soliciting explicit imagery"),
    ("image_request", "user requested intimate photos from the child"),
    # sextortion
    ("sextortion", "he would tell everyone if I don't send one"),
    ("sextortion", "said he'll post my pics"),
    ("sextortion", "he said it stops unless I pay"),
    ("sextortion", "send him money or he will share them with my friends"),
    ("sextortion", "he is blackmailing me"),
    ("sextortion", "hes gonna expose me if i dont send more"),
    ("sextortion", "he threatened to send my pics to my school"),
    ("sextortion", "he said hed post them everywhere"),
    ("sextortion", "he said pay up or else"),
    ("sextortion", "he wants £50 cash or he will share the video"),
    ("sextortion", "they said send more or else"),
    ("sextortion", "she said to do what she says or she'll leak them"),
    ("sextortion", "pay me or i share them"),
    ("sextortion", "send robux or all ur followers will see"),
    ("sextortion", "he screenshotted my pics and is demanding money"),
    ("sextortion", "they are demanding steam vouchers"),
    ("sextortion", "someone is blackmailin my son"),
    ("sextortion", "the user made threats to circulate the video"),
    # secrecy
    ("secrecy", "he said to keep it secret"),
    ("secrecy", "its our little secret"),
    ("secrecy", "dont tell ur mum"),
    ("secrecy", "he said delete the chat"),
    ("secrecy", "its just between us"),
    ("secrecy", "he told me not to tell anyone"),
    ("secrecy", "its our lil secrit"),
    ("secrecy", "he told me to hide the chat from my mum"),
    ("secrecy", "nobody can know about us"),
    ("secrecy", "dont show anyone our chat"),
    ("secrecy", "he said never to tell my parents"),
    ("secrecy", "he messaged me and said dont tell"),
    ("secrecy", "she told me not to tell"),
    ("secrecy", "he said if u tell ur mum ur in trouble"),
    ("secrecy", "he said call me when ur parents are asleep"),
    ("secrecy", "he said dont say nothing"),
    ("secrecy", "he put the chat on vanish mode"),
    ("secrecy", "he said keep it lowkey"),
    ("secrecy", "she made me swear never to tell"),
    ("secrecy", "he told her to keep your chats private"),
    ("secrecy", "the adult asked them to keep their friendship secret"),
    # meeting
    ("meeting", "he wants to meet up"),
    ("meeting", "lets meet irl"),
    ("meeting", "he said come to my house"),
    ("meeting", "he said i can pick u up"),
    ("meeting", "he said meet at the park"),
    ("meeting", "he asked where i live"),
    ("meeting", "he keeps asking what school i go to"),
    ("meeting", "he wanted to link up after school"),
    ("meeting", "he said he can come to my school"),
    ("meeting", "the tutor offered her free lessons at his flat"),
    ("meeting", "he said come to the trial alone, no parents"),
    ("meeting", "he said come alone"),
    ("meeting", "he told her to come on her own"),
    ("meeting", "he wants to meet her at the shopping centre"),
    ("meeting", "he got us a hotel room for us"),
    ("meeting", "she can sleep in his caravan he said"),
    ("meeting", "he says she should get the bus to meet him"),
    ("meeting", "he offered to buy her a train ticket"),
    ("meeting", "he said u should meet up sometime"),
    ("meeting", "she keeps wanting to chill out with him"),
    ("meeting", "he invited my son back to his flat"),
    ("meeting", "he said hed drive and collect her"),
    ("meeting", "he wants to take her out on a date"),
    ("meeting", "they have arranged to meet"),
    ("meeting", "the account suggested a meetup"),
    # gifts
    ("gifts", "he sent me robux"),
    ("gifts", "he gave me vbucks"),
    ("gifts", "he promised v-bucks"),
    ("gifts", "he sent a gift card"),
    ("gifts", "he is paying her"),
    ("gifts", "he sent me money"),
    ("gifts", "he said he would buy you anything"),
    ("gifts", "he buys me skins"),
    ("gifts", "he topped up my phone"),
    ("gifts", "he offered game currency"),
    ("gifts", "he said he'll pay me"),
    ("gifts", "she offered to buy her a new phone"),
    ("gifts", "he wanted selfies 4 robux"),
    ("gifts", "he wants pictures in exchange for gift cards"),
    ("gifts", "she keeps getting virtual gifts on her stream"),
    ("gifts", "now he says she owes him"),
    ("gifts", "a man bought my daughter a brand new iphone"),
    ("gifts", "hes been giving her free skins"),
    ("gifts", "he promised her a reward"),
    # adult_age
    ("adult_age", "he's 30"),
    ("adult_age", "it was a grown man"),
    ("adult_age", "he is an adult"),
    ("adult_age", "an older man messaged her"),
    ("adult_age", "he said he was 25"),
    ("adult_age", "he is in his 40s"),
    ("adult_age", "he is much older"),
    ("adult_age", "a 30 year old man messaged my daughter"),
    ("adult_age", "hes like 40"),
    ("adult_age", "an adult user added her"),
    ("adult_age", "adult male messaged my son"),
    ("adult_age", "it was a man of 35"),
    ("adult_age", "he told me age is only a number"),
    ("adult_age", "she said im so mature for my age"),
    ("adult_age", "the guy looked about 45"),
    ("adult_age", "the suspect, 52, messaged her"),
    # self_harm
    ("self_harm", "i want to kill myself"),
    ("self_harm", "i hurt myself"),
    ("self_harm", "i have thought about self harm"),
    ("self_harm", "i've been cutting again"),
    ("self_harm", "i dont want to be here anymore"),
    ("self_harm", "i just want to end it all"),
    ("self_harm", "i wanna kms"),
    ("self_harm", "i want to unalive myself"),
    ("self_harm", "i cant cope anymore"),
    ("self_harm", "ive got loads of pills saved"),
    ("self_harm", "i'd rather just be dead"),
    ("self_harm", "its goodbye i guess"),
    ("self_harm", "bye forever everyone"),
    ("self_harm", "i cant live like this anymore"),
    ("self_harm", "her mum thinks she might end her own life"),
    ("self_harm", "i just wanna disapear"),
    ("self_harm", "i wish it would all end"),
    ("self_harm", "ive been thinking about ending it"),
    ("self_harm", "im scared ill do something stupid"),
    ("self_harm", "they would all be happier without me"),
    ("self_harm", "whats the point in living"),
    ("self_harm", "i want to go to sleep and never wake up"),
    # danger_now
    ("danger_now", "he's outside my house"),
    ("danger_now", "he is on his way to pick her up now"),
    ("danger_now", "i'm meeting him tonight"),
    ("danger_now", "she's with him right now"),
    ("danger_now", "im going to meet him today"),
    ("danger_now", "hes outside rn"),
    ("danger_now", "she has gone missing"),
    ("danger_now", "im meeting him tonite at the station"),
    ("danger_now", "hes picking me up in an hour"),
    ("danger_now", "she is bunking off today to meet him"),
    ("danger_now", "the man is sat outside her school in a car"),
    ("danger_now", "she says hes waiting for her outside"),
    ("danger_now", "he told her to sneak out of the house tonight"),
    ("danger_now", "we believe the child is in imminent danger"),
    ("danger_now", "shes by the back gate"),
    ("danger_now", "he is at the station now waiting"),
    ("danger_now", "my daughter hasnt come home"),
    ("danger_now", "she said shes seeing him in half an hour"),
    ("danger_now", "she is meeting him at 7 tonight"),
]

NEGATED_OR_ADVICE = [
    ("image_request", "he did NOT ask for pics"),
    ("image_request", "he never asked me for pictures"),
    ("image_request", "our school told us never to send nudes"),
    ("image_request", "he didnt ask me for photos"),
    ("image_request", "we learned in assembly what to do if anyone ever asks you for pictures"),
    ("sextortion", "no threats were made"),
    ("sextortion", "he never threatened to post my pics"),
    ("secrecy", "she didn't ask me to keep it secret"),
    ("secrecy", "mum says don't keep secrets"),
    ("secrecy", "he never said to keep it secret"),
    ("meeting", "we learned in assembly not to meet people"),
    ("meeting", "he never asked to meet"),
    ("meeting", "he didnt ask where i live"),
    ("gifts", "he never sent me robux"),
    ("adult_age", "he is not an adult"),
    ("self_harm", "she has never self harmed"),
    ("self_harm", "i would never hurt myself"),
    ("danger_now", "he is not outside my house"),
    ("secrecy", "if someone asks you to keep a secret tell a teacher"),
    ("image_request", "if anybody asks you for pics, block them"),
    ("image_request", "he never sent me rude pics"),
    ("gifts", "he didnt offer to pay me"),
    ("sextortion", "police said if anyone threatens to post your pics, report it"),
    ("danger_now", "there is no immediate risk"),
]

ROUTINE = [
    "nice to meet you",
    "i changed my profile picture",
    "secret santa at school",
    "i told a trusted adult",
    "i'm an adult reporting for my niece",
    "please dont tell my mum",
    "i want to report a fake account using my photos",
    "i deleted the app and blocked him",
    "he is coming to the party",
    "we were at the school disco",
    "on the way home from school",
    "one of the messages is missing",
    "older boys at school are being mean",
    "i hurt my leg playing football",
    "i cant do my homework",
    "send me a private message",
    "i will show it to my mum",
    "he hung up the phone",
    "my mum will pick you up from school",
    "my mum is picking me up in an hour",
    "he keeps cutting me out of the group",
    "thanks for the photos of the trip",
    "he told me 20 times",
    "mum says i can't go on the game anymore",
    "my brother is 19 and he is helping me write this",
    "he wants to video call me",
    "please dont show anyone this",
    "we keep secrets about our crushes",
    "keeping the surprise party secret",
    "a text said i won an ipad if i send my address",
    "send your details to claim your prize",
    "other adult players in the lobby",
    "my friends swap stickers",
    "the school gave us new tablets",
    "i share a room with my brother",
    "mum is waiting for me at the gate",
    "we booked a hotel for the holiday",
    "my last message to him was about homework",
    "i want to see my body get stronger",
    "the teacher asked the class to send photos of their art",
    "take off your shoes at the door",
    "my mum will come and get me after",
    "grandad is taking us to the beach",
    "an advert for free robux",
    "i think a robux generator hacked me",
    "he asked for a photo of my cat",
    "my nan sent me money for my birthday",
    "we arranged a meeting with the school",
    "he wants private lessons for maths",
    "the delivery man is at the front door",
    "dad didnt come home till late",
    "i want the bullying to end",
    "i dont see the point of this homework",
    "a guy keeps telling me im rubbish at the game",
]


@pytest.mark.parametrize(("name", "text"), POSITIVE)
def test_each_signal_is_found(name, text):
    result = read_signals(text)
    assert result.has(name), (text, result.found)
    assert all(words for words in result.found[name])


@pytest.mark.parametrize(("name", "text"), NEGATED_OR_ADVICE)
def test_negation_and_quoted_advice_do_not_trigger(name, text):
    assert not read_signals(text).has(name), read_signals(text).found


@pytest.mark.parametrize("text", ROUTINE)
def test_routine_words_find_nothing(text):
    assert read_signals(text).found == {}


def test_the_issue_reports_read_in_full():
    first = read_signals("he asked me for pictures in a game chat and said to keep it secret")
    assert first.found == {"image_request": ("asked me for pictures",), "secrecy": ("keep it secret",)}
    teacher = read_signals("an adult paying a 13-year-old in game currency for photos")
    assert {"image_request", "gifts", "adult_age"} <= set(teacher.found)
    assert teacher.child_ages == (13,)


def test_matched_words_as_written_deduplicated_in_text_order():
    result = read_signals("He said Keep It Secret. Later he said keep it secret again, then he wanted PICS")
    assert result.found["secrecy"] == ("Keep It Secret",)
    assert list(result.found) == ["image_request", "secrecy"]  # SIGNAL_NAMES order
    assert result.found["image_request"] == ("wanted PICS",)


def test_a_negation_reaches_only_its_own_clause():
    assert read_signals("i dont know him but he asked for pics").has("image_request")
    assert read_signals("i dont know who he is he keeps asking me to send nudes").has("image_request")
    assert read_signals("he didnt ask for pics he asked for a video").has("image_request")
    assert read_signals("he wont stop asking me for pics").has("image_request")  # a pseudo-negation
    assert read_signals("im not ok he keeps asking for pics").has("image_request")
    assert not read_signals("i never wanted to send nudes").has("image_request")


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("I'm 13", (13,)),
        ("im 13 and scared", (13,)),
        ("i am 13 years old", (13,)),
        ("my 12 year old daughter", (12,)),
        ("a 13-year-old in my class", (13,)),
        ("13yo", (13,)),
        ("she is aged 12", (12,)),
        ("im in year 8", (12,)),
        ("yr 8", (12,)),
        ("y8", (12,)),
        ("he is in year 10", (14,)),
        ("im twelve", (12,)),
        ("my son is 11", (11,)),
        ("ma daughter is 14", (14,)),
        ("I'm 40 and my son is 12", (12,)),
        ("he said he was 25 and im 14", (14,)),
        ("he said he was 15 but he's 30", ()),
        ("he told me 20 times", ()),
        ("in the year 2020", ()),
        ("he plays with me on a game and says he is 12", ()),  # the other person's claim, not the child's
        ("my brother is 19", ()),
        ("", ()),
    ],
)
def test_child_ages(text, ages):
    assert read_signals(text).child_ages == ages


@pytest.mark.parametrize(
    ("text", "adult"),
    [
        ("he said he was 25", True),
        ("he's 30", True),
        ("he says hes 19", True),
        ("I'm 40 and my son is 12", False),  # the reporter's own age
        ("im 13", False),
        ("he said he was 16", False),
    ],
)
def test_adult_stated_from_the_other_persons_age(text, adult):
    result = read_signals(text)
    assert result.adult_stated is adult and result.has("adult_age") is adult
    assert all(age <= 17 for age in result.child_ages)


def test_empty_blank_and_huge_text():
    assert read_signals("") == TextSignals() and read_signals("   \n ") == TextSignals()
    assert not TextSignals().has("secrecy")
    filler = "we talked about homework and football at the weekend. " * 400
    assert len(filler) > signals.MAX_CHARS
    started = time.perf_counter()
    early = read_signals("he said keep it secret. " + filler)
    assert time.perf_counter() - started < 2
    assert early.has("secrecy")
    assert not read_signals(filler + " he said keep it secret").has("secrecy")  # beyond 20,000 characters
    crowded = "he never asked me for pics. he said keep it secret. " * 400  # a signal in every sentence
    started = time.perf_counter()
    result = read_signals(crowded)
    assert time.perf_counter() - started < 2
    assert result.found == {"secrecy": ("keep it secret",)}  # NegEx still per sentence on a long text


def test_read_many_matches_read_signals_one_by_one():
    texts = [text for _, text in POSITIVE[::5]] + ROUTINE[:5] + ["", "im 13"]
    assert read_many(texts) == [read_signals(text) for text in texts]
    assert read_many([]) == []


def test_anchored_ruler_gives_what_spacys_entity_ruler_gives():
    reference = signals._build(reference=True).nlp
    fast = signals._build().nlp
    texts = [text for _, text in POSITIVE + NEGATED_OR_ADVICE] + ROUTINE
    texts.append("hes parked outside my house and he said if u dont send more he will post them online lol")
    for text in texts:
        expected = [(e.start, e.end, e.label_) for e in reference(text).ents]
        assert [(e.start, e.end, e.label_) for e in fast(text).ents] == expected, text


def test_signal_names_in_order():
    assert SIGNAL_NAMES == (
        "image_request", "sextortion", "secrecy", "meeting", "gifts", "adult_age", "self_harm", "danger_now"
    )  # fmt: skip


@pytest.fixture
def fresh_reader():
    signals.reset()
    yield
    signals.reset()


def test_a_centres_own_pattern_file(settings, tmp_path, fresh_reader):
    extra = tmp_path / "centre.jsonl"
    rows = [
        {"label": "gifts", "pattern": [{"LOWER": "glitter"}, {"LOWER": {"IN": ["tokens", "tokenz"]}}]},
        {"label": "MEETING", "pattern": "come to the den"},
        {"label": "secrecy", "pattern": [{"LOWER": {"FUZZY1": "hushhush"}}]},  # no anchor: tried everywhere
    ]
    extra.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    assert not read_signals("he offered me glitter tokens").has("gifts")
    signals.reset()
    settings.SAFEGUARD_TRIAGE_SIGNAL_PATTERNS = [str(extra)]
    assert pattern_files()[-1] == extra and pattern_files()[0].name == "en.jsonl"
    assert read_signals("he offered me glitter tokenz").found["gifts"] == ("glitter tokenz",)
    assert read_signals("he said come to the den").has("meeting")
    assert not read_signals("he said never come to the den").has("meeting")
    assert read_signals("he said its all hushush ok").found["secrecy"] == ("hushush",)


def test_a_pattern_file_with_an_unknown_label_is_refused(settings, tmp_path, fresh_reader):
    extra = tmp_path / "bad.jsonl"
    extra.write_text(json.dumps({"label": "SCARY", "pattern": "boo"}) + "\n")
    settings.SAFEGUARD_TRIAGE_SIGNAL_PATTERNS = [str(extra)]
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        read_signals("boo")
