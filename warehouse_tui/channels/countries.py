"""Country names as reports for people write them (eBay, Etsy) -> ISO 3166-1 alpha-2."""

from __future__ import annotations

import unicodedata

# code, then the English short name and the other names the marketplaces' reports use
_TABLE = """
AD Andorra|AE United Arab Emirates;UAE|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania
AM Armenia|AO Angola|AR Argentina|AS American Samoa|AT Austria;Österreich|AU Australia|AW Aruba
AX Åland Islands;Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh
BE Belgium;België;Belgique|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin
BL Saint Barthélemy|BM Bermuda|BN Brunei;Brunei Darussalam|BO Bolivia|BQ Caribbean Netherlands
BR Brazil;Brasil|BS Bahamas;The Bahamas|BT Bhutan|BW Botswana|BY Belarus|BZ Belize|CA Canada
CD Democratic Republic of the Congo;Congo, Democratic Republic of the;DR Congo
CF Central African Republic|CG Republic of the Congo;Congo;Congo, Republic of the
CH Switzerland;Schweiz;Suisse|CI Côte d'Ivoire;Cote d'Ivoire;Ivory Coast|CK Cook Islands|CL Chile
CM Cameroon|CN China;People's Republic of China|CO Colombia|CR Costa Rica|CU Cuba|CV Cape Verde;Cabo Verde
CW Curaçao;Curacao|CY Cyprus|CZ Czech Republic;Czechia|DE Germany;Deutschland|DJ Djibouti
DK Denmark;Danmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt
ER Eritrea|ES Spain;España;Espana|ET Ethiopia|FI Finland;Suomi|FJ Fiji|FK Falkland Islands
FM Micronesia|FO Faroe Islands|FR France|GA Gabon|GB United Kingdom;UK;Great Britain;England;Scotland;Wales;Northern Ireland
GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia
GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|GT Guatemala|GU Guam|GW Guinea-Bissau
GY Guyana|HK Hong Kong|HN Honduras|HR Croatia;Hrvatska|HT Haiti|HU Hungary|ID Indonesia
IE Ireland;Republic of Ireland;Éire|IL Israel|IM Isle of Man|IN India|IQ Iraq|IR Iran|IS Iceland
IT Italy;Italia|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia
KI Kiribati|KM Comoros|KN Saint Kitts and Nevis;St. Kitts and Nevis|KR South Korea;Korea, South;Republic of Korea;Korea
KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia;St. Lucia
LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya
MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin|MG Madagascar|MH Marshall Islands
MK North Macedonia;Macedonia|ML Mali|MM Myanmar;Burma|MN Mongolia|MO Macau;Macao|MP Northern Mariana Islands
MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi
MX Mexico;México|MY Malaysia|MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|NG Nigeria
NI Nicaragua|NL Netherlands;The Netherlands;Nederland;Holland|NO Norway;Norge|NP Nepal|NR Nauru
NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines
PK Pakistan|PL Poland;Polska|PM Saint Pierre and Miquelon|PR Puerto Rico|PS Palestine|PT Portugal
PW Palau|PY Paraguay|QA Qatar|RE Réunion;Reunion|RO Romania|RS Serbia|RU Russia;Russian Federation
RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SE Sweden;Sverige|SG Singapore
SI Slovenia|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname
SV El Salvador|SX Sint Maarten|SZ Eswatini;Swaziland|TC Turks and Caicos Islands|TD Chad|TG Togo
TH Thailand|TJ Tajikistan|TL Timor-Leste;East Timor|TM Turkmenistan|TN Tunisia|TO Tonga
TR Turkey;Türkiye;Turkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|UA Ukraine
UG Uganda|US United States;United States of America;USA;U.S.A.;US|UY Uruguay|UZ Uzbekistan
VA Vatican City;Holy See|VC Saint Vincent and the Grenadines;St. Vincent and the Grenadines
VE Venezuela|VG British Virgin Islands;Virgin Islands, British|VI U.S. Virgin Islands;US Virgin Islands;Virgin Islands, U.S.
VN Vietnam;Viet Nam|VU Vanuatu|WS Samoa|XK Kosovo|YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe
"""


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.replace(".", "").replace("’", "'").split()).lower()


CODES: dict[str, str] = {}
for _entry in _TABLE.replace("\n", "|").split("|"):
    if _entry.strip():
        _code, _names = _entry.strip().split(" ", 1)
        CODES[_code.lower()] = _code
        for _name in _names.split(";"):
            CODES[_key(_name)] = _code


def country_code(value: str) -> str | None:
    """The ISO code of a country name or code; None when the name is not known."""
    key = _key(value or "")
    return CODES.get(key) if key else None
