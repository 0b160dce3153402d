"""Seed the recipient directory: UK forces and agencies, and international partners.

Contact points are fictional ("...police.example") and meant to be edited on the recipients page before use.
The ONS police force area codes (E23/W15/S23/N23) are those the NSPL/ONSPD `pfa` column carries; check them
against the current ONS register when importing a new lookup (they are editable on the recipients page).
"""

from django.db import migrations
from django.utils.text import slugify

# (name, ONS police force area code)
TERRITORIAL = [
    ("Metropolitan Police Service", "E23000001"), ("Cumbria", "E23000002"), ("Lancashire", "E23000003"),
    ("Merseyside", "E23000004"), ("Greater Manchester", "E23000005"), ("Cheshire", "E23000006"),
    ("Northumbria", "E23000007"), ("Durham", "E23000008"), ("North Yorkshire", "E23000009"),
    ("West Yorkshire", "E23000010"), ("South Yorkshire", "E23000011"), ("Humberside", "E23000012"),
    ("Cleveland", "E23000013"), ("West Midlands", "E23000014"), ("Staffordshire", "E23000015"),
    ("West Mercia", "E23000016"), ("Warwickshire", "E23000017"), ("Derbyshire", "E23000018"),
    ("Nottinghamshire", "E23000019"), ("Lincolnshire", "E23000020"), ("Leicestershire", "E23000021"),
    ("Northamptonshire", "E23000022"), ("Cambridgeshire", "E23000023"), ("Norfolk", "E23000024"),
    ("Suffolk", "E23000025"), ("Bedfordshire", "E23000026"), ("Hertfordshire", "E23000027"),
    ("Essex", "E23000028"), ("Thames Valley", "E23000029"), ("Hampshire and Isle of Wight", "E23000030"),
    ("Surrey", "E23000031"), ("Kent", "E23000032"), ("Sussex", "E23000033"), ("City of London", "E23000034"),
    ("Devon and Cornwall", "E23000035"), ("Avon and Somerset", "E23000036"), ("Gloucestershire", "E23000037"),
    ("Wiltshire", "E23000038"), ("Dorset", "E23000039"), ("North Wales", "W15000001"), ("Gwent", "W15000002"),
    ("South Wales", "W15000003"), ("Dyfed-Powys", "W15000004"), ("Police Scotland", "S23000009"),
    ("Police Service of Northern Ireland", "N23000001"),
]  # fmt: skip

# (name, country) - special forces, national agencies and the Crown Dependencies' forces
UK_OTHER = [
    ("British Transport Police", "GB"), ("Ministry of Defence Police", "GB"), ("Civil Nuclear Constabulary", "GB"),
    ("National Crime Agency", "GB"), ("States of Jersey Police", "JE"), ("Guernsey Police", "GG"),
    ("Isle of Man Constabulary", "IM"),
]  # fmt: skip

# National agencies of partner countries (Virtual Global Taskforce members and close partners): (code, name,
# country). Where a country has one, it is the default route for that country; elsewhere the Interpol NCB is.
NATIONAL_AGENCIES = [
    ("us-hsi-c3", "United States - Homeland Security Investigations, Cyber Crimes Center", "US"),
    ("ca-rcmp-ncecc", "Canada - RCMP National Child Exploitation Crime Centre", "CA"),
    ("au-accce", "Australia - Australian Centre to Counter Child Exploitation", "AU"),
    ("nz-police-ocean", "New Zealand - Police Online Child Exploitation Across New Zealand team", "NZ"),
    ("nl-police-tbkk", "Netherlands - National Police child exploitation team", "NL"),
    ("ie-garda-ocsae", "Ireland - Garda National Protective Services Bureau", "IE"),
    ("europol-ec3", "Europol - European Cybercrime Centre (EC3)", "NL"),
]  # fmt: skip

# Interpol National Central Bureaus, one per member country (a representative set; add more on the page).
NCB_COUNTRIES = [
    ("AE", "United Arab Emirates"), ("AR", "Argentina"), ("AT", "Austria"), ("AU", "Australia"), ("BE", "Belgium"),
    ("BG", "Bulgaria"), ("BR", "Brazil"), ("CA", "Canada"), ("CH", "Switzerland"), ("CL", "Chile"),
    ("CN", "China"), ("CO", "Colombia"), ("CY", "Cyprus"), ("CZ", "Czechia"), ("DE", "Germany"), ("DK", "Denmark"),
    ("EE", "Estonia"), ("EG", "Egypt"), ("ES", "Spain"), ("FI", "Finland"), ("FR", "France"), ("GH", "Ghana"),
    ("GR", "Greece"), ("HR", "Croatia"), ("HU", "Hungary"), ("ID", "Indonesia"), ("IE", "Ireland"),
    ("IL", "Israel"), ("IN", "India"), ("IS", "Iceland"), ("IT", "Italy"), ("JP", "Japan"), ("KE", "Kenya"),
    ("KH", "Cambodia"), ("KR", "Republic of Korea"), ("LT", "Lithuania"), ("LU", "Luxembourg"), ("LV", "Latvia"),
    ("MA", "Morocco"), ("MT", "Malta"), ("MX", "Mexico"), ("MY", "Malaysia"), ("NG", "Nigeria"),
    ("NL", "Netherlands"), ("NO", "Norway"), ("NZ", "New Zealand"), ("PH", "Philippines"), ("PK", "Pakistan"),
    ("PL", "Poland"), ("PT", "Portugal"), ("RO", "Romania"), ("RS", "Serbia"), ("SE", "Sweden"),
    ("SG", "Singapore"), ("SI", "Slovenia"), ("SK", "Slovakia"), ("TH", "Thailand"), ("TR", "Turkey"),
    ("UA", "Ukraine"), ("US", "United States"), ("VN", "Viet Nam"), ("ZA", "South Africa"),
]  # fmt: skip


def _contact(code: str) -> str:
    return f"ceop-referrals@{code}.police.example"


def seed(apps, schema_editor):
    Recipient = apps.get_model("routing", "Recipient")
    rows = []
    for name, pfa in TERRITORIAL:
        code = slugify(name)
        rows.append(Recipient(code=code, name=name, kind="uk_territorial", country="GB", pfa_code=pfa,
                              secure_contact=_contact(code)))  # fmt: skip
    for name, country in UK_OTHER:
        code = slugify(name)
        rows.append(Recipient(code=code, name=name, kind="uk_other", country=country, secure_contact=_contact(code),
                              country_default=country != "GB"))  # fmt: skip
    agency_countries = set()
    for code, name, country in NATIONAL_AGENCIES:
        is_default = not code.startswith("europol") and country not in agency_countries
        if is_default:
            agency_countries.add(country)
        rows.append(Recipient(code=code, name=name, kind="international", country=country,
                              secure_contact=_contact(code), country_default=is_default))  # fmt: skip
    for country, country_name in NCB_COUNTRIES:
        code = f"ncb-{country.lower()}"
        rows.append(Recipient(code=code, name=f"Interpol NCB - {country_name}", kind="international",
                              country=country, secure_contact=_contact(code),
                              country_default=country not in agency_countries))  # fmt: skip
    existing = set(Recipient.objects.values_list("code", flat=True))
    Recipient.objects.bulk_create([row for row in rows if row.code not in existing])


def unseed(apps, schema_editor):
    pass  # seeded recipients may already be referenced by users and packages: leave them


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_postcodeimport_recipient_country_default_and_more")]

    operations = [migrations.RunPython(seed, unseed)]
