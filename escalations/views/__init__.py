"""HTML pages of urgent updates. One module a page family (escalations/urls.py imports them):
`updates` (the list, raising, an update's page with its live section and its actions) and
`policies` (a team's policy and a project's override: read by everyone, edited by the team's
leads and admins); `common` holds what they share.

Thin: reads through escalations.selectors (views never query), shaping through
escalations.presenters, writes through escalations.services, each action checked with its rule
(escalations/permissions.py) by core.permissions.rule_allows. An update the viewer may not
read answers 404, like one that does not exist (its title is nobody else's business); a
refused action on one they may read answers 403.
"""
