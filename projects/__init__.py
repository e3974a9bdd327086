"""Projects, their owners, goals, status updates, ownership transfers and the ownership map
(DESIGN.md). The app is registered so the layout is in place; its models, services and pages
arrive with the projects issue. It may depend on teams and oncall, never the reverse."""
