"""Shared mechanisms for every gridgov app: scope, audit, validators, geo, masking, errors, calendar.

No domain words live here; apps describe themselves to these mechanisms (a model's scope, its audit fields).
"""
