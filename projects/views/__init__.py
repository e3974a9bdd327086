"""HTML pages of projects. One module a page family (projects/urls.py imports them): `lists`
(the projects list, the new-project form), `pages` (a project's page, editing, deleting,
watching, posting a status update), `goals` (goals in place, with htmx), `transfers`
(ownership transfers, acting owners, the admins' one-step handover); `common` holds what they
share. The ownership map's pages are `map` (projects/map_urls.py).

Thin: reads through projects.selectors (views never query), shaping through
projects.presenters, writes through projects.services, each action checked with its rule
(projects/permissions.py) by core.permissions.rule_allows. Everyone signed in reads every
project, so an unknown one answers 404 and a refused action 403. Every time is in the
viewer's zone, every person shown with their own local time.
"""
