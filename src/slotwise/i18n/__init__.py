"""Translations and per-language formats: the page and email strings in English, German,
French and Spanish, chosen from a browser's Accept-Language or a booking's email language.

`languages` picks a `Language` (a catalog and a Babel locale), `catalogs` holds the gettext
catalogs, `formats` writes dates and times for a reader. The faces pass a `Language` down as
an argument; nothing here knows which request is running.
"""
