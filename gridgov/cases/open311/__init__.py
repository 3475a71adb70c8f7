"""Open311 GeoReport v2 at /open311/v2/: other systems (city 12345 platforms, apps, kiosks) list the
service catalogue, post reports and follow them. A small Django app of its own beside the case engine:
its clients (API keys, hashed) and the Open311 details of each request; reports go through the engine's
intake (gridgov.cases.services.case_report) like any other channel."""
