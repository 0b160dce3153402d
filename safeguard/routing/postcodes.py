"""UK postcodes: normalising what people type, and the built-in fallback table by postcode area."""

import re

# Outward code (area letters, district) + optional inward code (sector digit, unit letters). Lenient on spacing.
_FULL = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)$")


def normalise_postcode(text: str) -> str:
    """Upper case, one space before the inward code: "sw1a1aa" -> "SW1A 1AA". Empty when not a full postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _FULL.match(compact)
    if not match:
        return ""
    return f"{match[1]}{match[2]} {match[3]}"


def postcode_area(text: str) -> str:
    """The area letters of a full or outward-only postcode ("M1 1AE" -> "M", "CF10" -> "CF"), or ""."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _FULL.match(compact) or _OUTWARD.match(compact)
    return match[1] if match else ""


# Postcode area -> recipient code. An area can straddle force boundaries (e.g. KT, RH, SA, WS), so a suggestion
# from this table is always marked approximate; each area maps to the force covering its main town.
AREA_FORCES = {
    "AB": "police-scotland", "AL": "hertfordshire", "B": "west-midlands", "BA": "avon-and-somerset",
    "BB": "lancashire", "BD": "west-yorkshire", "BH": "dorset", "BL": "greater-manchester", "BN": "sussex",
    "BR": "metropolitan-police-service", "BS": "avon-and-somerset", "BT": "police-service-of-northern-ireland",
    "CA": "cumbria", "CB": "cambridgeshire", "CF": "south-wales", "CH": "cheshire", "CM": "essex", "CO": "essex",
    "CR": "metropolitan-police-service", "CT": "kent", "CV": "west-midlands", "CW": "cheshire", "DA": "kent",
    "DD": "police-scotland", "DE": "derbyshire", "DG": "police-scotland", "DH": "durham", "DL": "durham",
    "DN": "south-yorkshire", "DT": "dorset", "DY": "west-midlands", "E": "metropolitan-police-service",
    "EC": "city-of-london", "EH": "police-scotland", "EN": "metropolitan-police-service", "EX": "devon-and-cornwall",
    "FK": "police-scotland", "FY": "lancashire", "G": "police-scotland", "GL": "gloucestershire", "GU": "surrey",
    "GY": "guernsey-police", "HA": "metropolitan-police-service", "HD": "west-yorkshire", "HG": "north-yorkshire",
    "HP": "thames-valley", "HR": "west-mercia", "HS": "police-scotland", "HU": "humberside", "HX": "west-yorkshire",
    "IG": "metropolitan-police-service", "IM": "isle-of-man-constabulary", "IP": "suffolk", "IV": "police-scotland",
    "JE": "states-of-jersey-police", "KA": "police-scotland", "KT": "metropolitan-police-service",
    "KW": "police-scotland", "KY": "police-scotland", "L": "merseyside", "LA": "lancashire", "LD": "dyfed-powys",
    "LE": "leicestershire", "LL": "north-wales", "LN": "lincolnshire", "LS": "west-yorkshire", "LU": "bedfordshire",
    "M": "greater-manchester", "ME": "kent", "MK": "thames-valley", "ML": "police-scotland",
    "N": "metropolitan-police-service", "NE": "northumbria", "NG": "nottinghamshire", "NN": "northamptonshire",
    "NP": "gwent", "NR": "norfolk", "NW": "metropolitan-police-service", "OL": "greater-manchester",
    "OX": "thames-valley", "PA": "police-scotland", "PE": "cambridgeshire", "PH": "police-scotland",
    "PL": "devon-and-cornwall", "PO": "hampshire-and-isle-of-wight", "PR": "lancashire", "RG": "thames-valley",
    "RH": "surrey", "RM": "metropolitan-police-service", "S": "south-yorkshire", "SA": "south-wales",
    "SE": "metropolitan-police-service", "SG": "hertfordshire", "SK": "greater-manchester", "SL": "thames-valley",
    "SM": "metropolitan-police-service", "SN": "wiltshire", "SO": "hampshire-and-isle-of-wight", "SP": "wiltshire",
    "SR": "northumbria", "SS": "essex", "ST": "staffordshire", "SW": "metropolitan-police-service",
    "SY": "west-mercia", "TA": "avon-and-somerset", "TD": "police-scotland", "TF": "west-mercia", "TN": "kent",
    "TQ": "devon-and-cornwall", "TR": "devon-and-cornwall", "TS": "cleveland", "TW": "metropolitan-police-service",
    "UB": "metropolitan-police-service", "W": "metropolitan-police-service", "WA": "cheshire",
    "WC": "metropolitan-police-service", "WD": "hertfordshire", "WF": "west-yorkshire", "WN": "greater-manchester",
    "WR": "west-mercia", "WS": "west-midlands", "WV": "west-midlands", "YO": "north-yorkshire",
    "ZE": "police-scotland",
}  # fmt: skip
