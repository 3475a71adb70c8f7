"""gridgov: party-building-led grid governance (党建统领网格化治理) for a township or subdistrict."""

__version__ = "0.1.0"
