"""Synthetic but valid identifiers for the demo: resident IDs (GB 11643), unified social credit codes
(GB 32100 with the embedded GB 11714 organisation code) and mobile numbers. Each generator keeps a set of
what it has issued, so nothing repeats inside one town."""

from __future__ import annotations

import datetime as dt
import random

from gridgov.core.validators import credit_code_check_char, org_code_check_char, resident_id_check_char

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Mobile prefixes of the three carriers, as seen on real numbers in Shandong.
MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
                   "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177",
                   "180", "181", "189", "199", "166", "173", "176", "178", "198")


class Issuer:
    """Issues unique identifiers from one seeded random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.codes: set[str] = set()
        self.phones: set[str] = set()

    def resident_id(self, *, address_code: str, birth: dt.date, sex: str) -> str:
        """A valid 18-character resident ID; the sequence's last digit is odd for men, even for women."""
        while True:
            seq = self.rng.randrange(0, 100) * 10 + self.rng.choice((1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8))
            first17 = f"{address_code}{birth:%Y%m%d}{seq:03d}"
            value = first17 + resident_id_check_char(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def credit_code(self, *, authority: str = "9", kind: str = "1", area: str = "370211") -> str:
        """A valid unified social credit code: registering authority (9 = 市场监管, N = 农业农村) and kind
        (1 = 企业, 2 = 个体工商户 / 村级集体经济组织, 3 = 农民专业合作社), area code, organisation code, check."""
        while True:
            # Organisation codes issued since 2015 to new companies start with "MA" in Shandong.
            body = "MA" + "".join(self.rng.choice(USCC_CHARS) for _ in range(6))
            org = body + org_code_check_char(body)
            first17 = f"{authority}{kind}{area}{org}"
            value = first17 + credit_code_check_char(first17)
            if value not in self.codes:
                self.codes.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(0, 10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def birth_date(self, *, age_from: int, age_to: int, on: dt.date) -> dt.date:
        """A birth date giving an age in [age_from, age_to] on the date `on`."""
        start = on.replace(year=on.year - age_to - 1) + dt.timedelta(days=1)
        end = on.replace(year=on.year - age_from)
        return start + dt.timedelta(days=self.rng.randrange(0, (end - start).days + 1))
