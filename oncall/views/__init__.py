"""HTML pages of on-call: who is on call now, schedules with their lanes, layer forms with
instant validation, the follow-the-sun preset, my shifts, swaps and overrides.

One module a page family (oncall/urls.py imports them): `now` (who is on call now),
`schedules` (list, page, settings, delete, feed), `overrides`, `layers` (layer form, preview,
validation, delete, follow-the-sun), `swaps`, `mine` (my shifts, shift notice, my feed);
`common` holds what they share.

Thin: reads through oncall.selectors (views never query), shaping through oncall.presenters,
writes through oncall.services, permissions checked object by object with
request.user.has_perm (oncall/permissions.py). A schedule the viewer may not read answers
404 (like the API); one they may read but not change answers 403 to a write. Every time is
shown in the viewer's zone (or the schedule's with ?tz=schedule), every person with their
own local time.
"""
