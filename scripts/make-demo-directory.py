#!/usr/bin/env python3
"""Writes the bundled demo directory: Sources/RosterDirectory/Resources/demo-directory.json.

A Graph-shaped export (the format FileDirectory reads and graph-double serves):
  {"users": [Graph user objects], "groups": [Graph group objects],
   "members": {group id: [member ids, users or nested groups]},
   "photos": {user id: {"contentType", "etag", "data" (base64)}}}

Deterministic: a fixed seed and no clock, so running it twice gives the same bytes and
`git diff --exit-code` can check the committed file. Run: python3 scripts/make-demo-directory.py
"""
import base64
import hashlib
import json
import os
import random
import struct
import unicodedata
import uuid
import zlib

SEED = 20261126
USER_COUNT = 1000
OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "RosterDirectory", "Resources",
                   "demo-directory.json")

rng = random.Random(SEED)


def new_id():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# Names from many scripts and spellings: accents, apostrophes, CJK, right-to-left, hyphens.
GIVEN = ["Émilie", "José", "Zoë", "François", "Siobhán", "Łukasz", "Søren", "Mária", "Jürgen", "Ana",
         "Olivia", "Liam", "Noah", "Amelia", "Oliver", "Mohammed", "Priya", "Chloé", "Ömer", "Dmitri",
         "Seán", "Niamh", "Björn", "Ines", "Mateo", "Aoife", "Ngozi", "Kwame", "Hana", "Mei", "Yuki",
         "D'Arcy", "Jean-Luc", "Anne-Marie", "O'Neil", "Renée", "Zoltán", "Małgorzata", "Ågot", "Þóra"]
SURNAMES = ["Müller", "O'Brien", "García", "Núñez", "Dvořák", "Ødegaard", "Żółć", "D'Angelo",
            "MacDonald", "van der Berg", "de la Cruz", "Smith", "Jones", "Williams", "Taylor", "Brown",
            "Nguyễn", "Kowalski", "Ó Súilleabháin", "Fernández", "Lefèvre", "Schäfer", "Åberg",
            "Papadopoulos", "Öztürk", "St. John", "Smith-Jones", "Le Blanc", "Đorđević", "Ševčík"]
CJK = [("太郎", "山田"), ("花子", "佐藤"), ("伟", "王"), ("芳", "李"), ("민준", "김"), ("서연", "이"),
       ("美咲", "高橋"), ("静", "张")]
RTL = [("محمد", "العلي"), ("فاطمة", "الزهراء"), ("יוסי", "כהן"), ("נועה", "לוי"), ("علی", "رضایی")]
TITLES = ["Software Engineer", "Senior Software Engineer", "Sales Manager", "Account Executive",
          "Head of \"Special\" Projects", "Director, Operations", "HR Business Partner", "Designer",
          "Chief Executive Officer", "Office Manager", "Support Engineer", "Ingénieur d'études",
          "Vertriebsleiter", "営業部長", "مدير المبيعات", "Data Scientist", "Legal Counsel", ""]
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Legal",
               "Research & Development", "Customer Success", "Operations", "Vertrieb", "营业部", None]
COMPANIES = ["Contoso Ltd", "Contoso GmbH", "Contoso S.A.", "Contoso K.K.", "Fabrikam, Inc.", None]

# (office, street, city, state, postal code, country, phone prefix, region)
OFFICES = [
    ("London HQ", "1 King's Road", "London", None, "SW3 4TR", "United Kingdom", "+44 20 7946", "UK"),
    ("Manchester", "22 Deansgate", "Manchester", "Greater Manchester", "M3 2BW", "United Kingdom",
     "+44 161 496", "UK"),
    ("Edinburgh", "5 Rose Street", "Edinburgh", "Scotland", "EH2 2PR", "United Kingdom", "+44 131 496",
     "UK"),
    ("Paris", "12 Rue de l'Église", "Paris", "Île-de-France", "75004", "France", "+33 1 70 18", "EU"),
    ("München", "Schäfflerstraße 3", "München", "Bayern", "80333", "Germany", "+49 89 1234", "EU"),
    ("Kyiv", "вул. Хрещатик, 22", "Kyiv", None, "01001", "Ukraine", "+380 44 123", "UA"),
    ("Tokyo", "千代田区丸の内1-1", "東京", "東京都", "100-0005", "Japan", "+81 3 1234", "APAC"),
    ("Dubai", "شارع الشيخ زايد", "دبي", None, None, "United Arab Emirates", "+971 4 123", "ME"),
    ("Tel Aviv", "רחוב רוטשילד 1", "תל אביב", None, "6688101", "Israel", "+972 3 123", "ME"),
    ("Seattle", "1 Microsoft Way", "Redmond", "WA", "98052", "United States", "+1 425 555", "US"),
    ("Remote", None, None, None, None, None, "+1 206 555", "US"),
]


LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "þ": "th", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def ascii_slug(text):
    folded = unicodedata.normalize("NFKD", text.lower().translate(LETTERS))
    out = "".join(c for c in folded if c.isascii() and (c.isalnum() or c in ".-"))
    return out or "user"


def maybe(value, chance_of_none):
    return None if rng.random() < chance_of_none else value


# A directory schema extension registered by an app (extension_<app id without dashes>_<name>).
COST_CENTRE = "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"
COST_CENTRES = ["CC-100 Sales", "CC-200 Engineering", "KST 300", "Centre de coût 400"]


def make_user(index):
    kind = rng.random()
    if kind < 0.06:
        given, surname = rng.choice(CJK)
        display = surname + given
    elif kind < 0.10:
        given, surname = rng.choice(RTL)
        display = given + " " + surname
    else:
        given, surname = rng.choice(GIVEN), rng.choice(SURNAMES)
        display = given + " " + surname
    office = OFFICES[index % len(OFFICES)] if index % 7 else rng.choice(OFFICES)
    name, street, city, state, postal, country, prefix, region = office
    local = f"{ascii_slug(given)}.{ascii_slug(surname)}{index}"
    guest = index % 53 == 0
    if guest:
        upn = f"{local}_fabrikam.example#EXT#@contoso.onmicrosoft.com"
        mail = f"{local}@fabrikam.example"
    else:
        upn = f"{local}@contoso.example"
        mail = upn
    if index % 37 == 0:
        mail = None  # a mailbox-less account (service or unlicensed user)
    phones = [f"{prefix} {rng.randint(1000, 9999)}"] if rng.random() < 0.8 else []
    if rng.random() < 0.05:
        phones.append(f"{prefix} {rng.randint(1000, 9999)} ext. {rng.randint(10, 99)}")
    attributes = {f"extensionAttribute{n}": None for n in range(1, 16)}
    attributes["extensionAttribute1"] = maybe(f"EMP{index:05d}", 0.1)
    attributes["extensionAttribute2"] = maybe(rng.choice(["Cost centre 100", "CC-200", "", "KST 300"]), 0.5)
    if index % 11 == 0:
        attributes["extensionAttribute15"] = "Pronouns: they/them"
    user = {
        "id": new_id(),
        "userPrincipalName": upn,
        "mail": mail,
        "displayName": display if index % 97 else display + " (Contractor)",
        "givenName": maybe(given, 0.03),
        "surname": maybe(surname, 0.03),
        "jobTitle": maybe(rng.choice(TITLES), 0.08),
        "department": rng.choice(DEPARTMENTS),
        "companyName": rng.choice(COMPANIES),
        "officeLocation": maybe(name, 0.1),
        "businessPhones": phones,
        "mobilePhone": maybe(f"{prefix} {rng.randint(100000, 999999)}", 0.4),
        "faxNumber": maybe(f"{prefix} {rng.randint(1000, 9999)}", 0.9),
        "streetAddress": street,
        "city": city,
        "state": state,
        "postalCode": postal,
        "country": country,
        "onPremisesExtensionAttributes": attributes,
        "accountEnabled": index % 29 != 0,
        "userType": "Guest" if guest else "Member",
    }
    # Additional user properties a tenant may choose to sync (roster settings --attributes): a
    # few standard ones and a directory schema extension of an app registration, from the index
    # alone so that every other value above stays as it was.
    user["employeeId"] = f"E{index:05d}" if index % 13 else None
    user["employeeType"] = "Contractor" if index % 97 == 0 else "Employee"
    if index % 17 == 0:
        user["otherMails"] = [f"{local}@fabrikam.example", f"{local}@contoso.example"]
    if index % 3 == 0:
        user["onPremisesSyncEnabled"] = True
    if index % 5:
        user[COST_CENTRE] = COST_CENTRES[index % len(COST_CENTRES)]
    # Some exports omit properties altogether rather than writing null: readers treat both alike.
    if index % 41 == 0:
        for key in ("faxNumber", "state", "companyName"):
            user.pop(key, None)
    if index % 89 == 0:
        user["jobTitle"] = ""  # empty, not null
        user["department"] = "  "
    return user, region


users = []
regions = {}
for i in range(USER_COUNT):
    user, region = make_user(i)
    users.append(user)
    regions.setdefault(region, []).append(user["id"])
all_ids = [u["id"] for u in users]

groups = []
members = {}


def group(name, mail_enabled, security_enabled, unified=False, mail=True, member_ids=()):
    gid = new_id()
    nickname = ascii_slug(name.replace(" ", "-"))
    groups.append({
        "id": gid,
        "displayName": name,
        "mail": f"{nickname}@contoso.example" if (mail and mail_enabled) else None,
        "mailEnabled": mail_enabled,
        "securityEnabled": security_enabled,
        "groupTypes": ["Unified"] if unified else [],
    })
    members[gid] = list(member_ids)
    return gid


def sample(ids, count):
    return rng.sample(ids, min(count, len(ids)))


# Mail-enabled security groups, nested two levels: UK Staff ⊂ Europe Staff ⊂ All Staff.
uk = regions.get("UK", [])
london = [u["id"] for u in users if u.get("city") == "London"]
uk_staff = group("UK Staff", True, True, member_ids=uk)
london_office = group("London Office", True, True, member_ids=london[: len(london) // 2])
members[uk_staff].append(london_office)  # a group nested inside UK Staff, sharing some members
eu_staff = group("Europe Staff", True, True, member_ids=regions.get("EU", []) + [uk_staff])
all_staff = group("All Staff", True, True, member_ids=[eu_staff] + regions.get("US", []) + regions.get("APAC", [])
                  + regions.get("ME", []) + regions.get("UA", []))
group("UK Sales", True, True, member_ids=sample(uk, 25))
group("Ukraine Office", True, True, member_ids=regions.get("UA", []))
group("uk-london", True, True, member_ids=sample(london, 10))
group("Équipe Paris", True, True, member_ids=[u["id"] for u in users if u.get("city") == "Paris"])
group("東京オフィス", True, True, member_ids=regions.get("APAC", []))
group("Engineering", True, True, member_ids=[u["id"] for u in users if u.get("department") == "Engineering"])
group("Sales \"Tiger\" Team", True, True, member_ids=sample(all_ids, 12))
group("Empty Project Team", True, True, member_ids=[])
# More than 999 transitive members: every user plus a nested group, so paging is needed.
group("Everyone (Including Guests)", True, True, member_ids=all_ids[:600] + [all_staff] + all_ids[600:])
# A mail-enabled security group without an address yet (mail null).
group("Security Champions", True, True, mail=False, member_ids=sample(all_ids, 8))

# Plain security groups (no mail): not syncable scopes.
group("UK Laptop Policy", False, True, member_ids=sample(uk, 40))
group("VPN Users", False, True, member_ids=sample(all_ids, 300))
group("Finance Approvers", False, True, member_ids=[u["id"] for u in users if u.get("department") == "Finance"])

# Distribution lists (mail-enabled, not security).
group("UK Newsletter", True, False, member_ids=sample(uk, 60))
group("Social Club", True, False, member_ids=sample(all_ids, 150))
group("Ukulele Society", True, False, member_ids=sample(all_ids, 9))

# Microsoft 365 groups (groupTypes Unified; mail-enabled, usually not security-enabled).
group("UK Marketing Team", True, False, unified=True, member_ids=sample(uk, 30))
group("Project Phoenix", True, False, unified=True, member_ids=sample(all_ids, 45))
group("Engineering All Hands", True, True, unified=True, member_ids=[all_staff])



# Profile photos for a few users (every 50th, from the second): tiny PNGs of one colour each, so the
# file stays small. Made without the random generator, so the users and groups above are unchanged.
# Each carries its content type, its etag as Graph's @odata.mediaEtag spells it (quotes included)
# and its bytes in base64.
def png(width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


photos = {}
for i in range(1, USER_COUNT, 50):
    data = png(48, 48, ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
    photos[users[i]["id"]] = {
        "contentType": "image/png",
        "etag": '"' + hashlib.sha256(data).hexdigest()[:16].upper() + '"',
        "data": base64.b64encode(data).decode("ascii"),
    }

export = {"users": users, "groups": groups, "members": members, "photos": photos}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="utf-8") as f:
    json.dump(export, f, ensure_ascii=False, separators=(",", ":"))
    f.write("\n")
print(f"wrote {os.path.relpath(OUT)}: {len(users)} users, {len(groups)} groups, {len(photos)} photos, "
      f"{os.path.getsize(OUT):,} bytes")
